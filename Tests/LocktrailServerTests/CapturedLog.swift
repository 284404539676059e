import Logging
import Synchronization

/// Log records kept in memory, for tests that check what was logged.
final class CapturedLog: Sendable {
    /// One record: level, message and metadata as text.
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
        /// Everything in the record, for "never logged" checks.
        var text: String { message + " " + metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    private let storage = Mutex<[Record]>([])

    /// Every record so far, oldest first.
    var records: [Record] { storage.withLock { $0 } }

    /// A swift-log handler that appends to a `CapturedLog`.
    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let record = Record(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" })
            log.storage.withLock { $0.append(record) }
        }
    }
}
