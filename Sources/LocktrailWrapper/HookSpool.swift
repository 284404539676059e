import Foundation
import LocktrailCore

/// Hook events waiting to be sent: one JSON file per event in a directory, written atomically,
/// removed once the server has them. Nothing is lost when the server cannot be reached.
public struct HookSpool: Sendable {
    /// The directory.
    public let directory: URL

    /// `$LOCKTRAIL_SPOOL`, else `$XDG_STATE_HOME/locktrail/spool`, else `~/.local/state/locktrail/spool`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["LOCKTRAIL_SPOOL"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/state")
        return URL(fileURLWithPath: state).appendingPathComponent("locktrail/spool")
    }

    /// A spool in `directory` (created on first write).
    public init(directory: URL) { self.directory = directory }

    /// Stores `event`; returns its file.
    @discardableResult
    public func store(_ event: HookEvent) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = String(format: "%020lld", event.time.microseconds) + "-" + event.id.filter { $0.isLetter || $0.isNumber || $0 == "-" } + ".json"
        let file = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent("." + name + ".tmp")
        try Data(CanonicalJSON.encode(event.json)).write(to: temporary)
        guard rename(temporary.path, file.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return file
    }

    /// Spooled events, oldest first, with their files; unreadable files are moved to `rejected/`.
    public func pending(limit: Int = .max) -> [(file: URL, event: HookEvent)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
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

    /// Removes a sent event.
    public func remove(_ file: URL) { try? FileManager.default.removeItem(at: file) }

    /// Moves an event the server refused as invalid aside, so it is kept but not retried forever.
    public func reject(_ file: URL) {
        let rejected = directory.appendingPathComponent("rejected")
        try? FileManager.default.createDirectory(at: rejected, withIntermediateDirectories: true)
        _ = rename(file.path, rejected.appendingPathComponent(file.lastPathComponent).path)
    }
}
