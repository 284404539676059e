import Foundation

/// The executables built next to the test bundle, for tests that run them as a user would.
public enum LocktrailBinary {
    /// The `locktrail` executable (`LOCKTRAIL_BIN` overrides).
    public static var path: String {
        if let given = ProcessInfo.processInfo.environment["LOCKTRAIL_BIN"], !given.isEmpty { return given }
        return path(of: "locktrail")
    }

    /// The built executable `name`, or `name` itself (found on PATH) when it is not there.
    public static func path(of name: String) -> String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return name
    }
}

/// The two ways to run the wrapper, which must behave the same: `locktrail wrap` and the small
/// `locktrail-wrap` executable.
public enum Wrapper: String, CaseIterable, Sendable, CustomStringConvertible {
    case subcommand = "locktrail wrap"
    case executable = "locktrail-wrap"

    public var description: String { rawValue }

    /// The argv that runs `command` (`["terraform", …]`) under this wrapper.
    public func argv(_ command: [String]) -> [String] {
        switch self {
        case .subcommand: return [LocktrailBinary.path, "wrap", "--"] + command
        case .executable: return [LocktrailBinary.path(of: "locktrail-wrap"), "--"] + command
        }
    }

    /// The argv that sends what is spooled.
    public var flushArgv: [String] {
        switch self {
        case .subcommand: return [LocktrailBinary.path, "hook", "flush"]
        case .executable: return [LocktrailBinary.path(of: "locktrail-wrap"), "--flush"]
        }
    }
}
