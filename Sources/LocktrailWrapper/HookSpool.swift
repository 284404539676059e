public import LocktrailCore

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Hook events waiting to be sent: one JSON file per event in a directory, written atomically,
/// removed once the server has them. Nothing is lost when the server cannot be reached.
public struct HookSpool: Sendable {
    /// The directory.
    public let directory: URL

    /// `$LOCKTRAIL_SPOOL`, else `$XDG_STATE_HOME/locktrail/spool`, else `~/.local/state/locktrail/spool`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["LOCKTRAIL_SPOOL"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let state =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (FileManager.default.homeDirectoryForCurrentUser.path + "/.local/state")
        return URL(fileURLWithPath: state).appendingPathComponent("locktrail/spool")
    }

    /// A spool in `directory` (created on first write).
    public init(directory: URL) { self.directory = directory }

    /// Stores `event` (readable by this user only); returns its file.
    @discardableResult
    public func store(_ event: HookEvent) throws -> URL {
        // Zero-padded microseconds first, so names sort by time.
        let micros = String(event.time.microseconds)
        let name =
            String(repeating: "0", count: max(0, 20 - micros.count)) + micros + "-"
            + event.id.filter { $0.isLetter || $0.isNumber || $0 == "-" } + ".json"
        let file = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent("." + name + ".tmp")
        // Plain system calls: this runs twice in front of every wrapped command, and
        // FileManager/Data cost a millisecond here where these cost a tenth of that.
        var fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd < 0 && errno == ENOENT {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw Self.lastError() }
        let bytes = CanonicalJSON.encode(event.json)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { let error = Self.lastError(); close(fd); unlink(temporary.path); throw error }
            written += n
        }
        guard close(fd) == 0, rename(temporary.path, file.path) == 0 else {
            let error = Self.lastError(); unlink(temporary.path); throw error
        }
        return file
    }

    private static func lastError() -> POSIXError { POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }

    /// Spooled events, oldest first, with their files; unreadable files are moved to `rejected/`.
    public func pending(limit: Int = .max) -> [(file: URL, event: HookEvent)] {
        let names = eventFileNames()
        var out: [(URL, HookEvent)] = []
        for name in names.prefix(limit) {
            let file = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            do {
                out.append((file, try HookEvent(json: try JSONParser.parse(Array(data)))))
            } catch {
                reject(file)
            }
        }
        return out
    }

    /// How many events wait, without reading them.
    public func count() -> Int { eventFileNames().count }

    /// The names of the spooled event files, oldest first (not the temporary ones being written).
    private func eventFileNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
    }

    /// Removes a sent event.
    public func remove(_ file: URL) { try? FileManager.default.removeItem(at: file) }

    /// Moves an event the server refused as invalid aside, so it is kept but not retried forever.
    public func reject(_ file: URL) {
        let rejected = directory.appendingPathComponent("rejected")
        try? FileManager.default.createDirectory(at: rejected, withIntermediateDirectories: true)
        _ = rename(file.path, rejected.appendingPathComponent(file.lastPathComponent).path)
    }
}
