import Foundation

/// The parsed sections of an AWS shared `config` or `credentials` file.
public struct AWSProfileFile: Sendable, Equatable {
    /// Which of the two files this is; they name profile sections differently.
    public enum Kind: Sendable {
        /// `~/.aws/config`: `[default]` and `[profile name]`.
        case config
        /// `~/.aws/credentials`: `[name]`.
        case credentials
    }

    /// Settings per profile name; other section types (`[sso-session x]`, `[services x]`) are skipped.
    public var profiles: [String: [String: String]]

    /// Parses file text the way the AWS CLI does for the settings locktrail uses.
    public init(parsing text: String, kind: Kind) {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        var lastKeyHadEmptyValue = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                lastKeyHadEmptyValue = false
                guard let close = line.firstIndex(of: "]") else { current = nil; continue }
                let header = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                current = Self.profileName(fromSection: header, kind: kind)
                if let current, profiles[current] == nil { profiles[current] = [:] }
                continue
            }
            // Indented lines under `key =` are sub-settings (e.g. `s3 =` blocks); not used here.
            if rawLine.first?.isWhitespace == true, lastKeyHadEmptyValue { continue }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // Inline comments need whitespace before the marker, as in the AWS CLI.
            for marker in [" #", "\t#", " ;", "\t;"] {
                if let range = value.range(of: marker) { value = value[..<range.lowerBound].trimmingCharacters(in: .whitespaces) }
            }
            lastKeyHadEmptyValue = value.isEmpty
            profiles[current, default: [:]][key] = value
        }
        self.profiles = profiles
    }

    /// Reads and parses `path`; a missing file is an empty file, as for the AWS tools.
    public static func load(path: String, kind: Kind) throws -> AWSProfileFile {
        guard FileManager.default.fileExists(atPath: path) else { return AWSProfileFile(parsing: "", kind: kind) }
        do {
            return AWSProfileFile(parsing: try String(contentsOfFile: path, encoding: .utf8), kind: kind)
        } catch {
            throw AWSConfigurationError.unreadableFile(path: path, reason: "\(error.localizedDescription)")
        }
    }

    private static func profileName(fromSection header: String, kind: Kind) -> String? {
        switch kind {
        case .credentials:
            return header
        case .config:
            if header == "default" { return "default" }
            let parts = header.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "profile" { return parts[1] }
            return nil
        }
    }
}
