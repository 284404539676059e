import LocktrailCore
import LocktrailPostgres

/// What the log knows about a polling source.
public struct SourceState: Sendable, Equatable {
    /// `new`, `ok` or `table_missing`.
    public var status: String
    /// When the last successful scan started.
    public var lastScanStarted: Timestamp?
    /// When the last successful scan completed (coverage reaches this far).
    public var lastScanCompleted: Timestamp?
    /// Consecutive failed cycles.
    public var failures: Int
    /// The last failure, in words.
    public var lastError: String?
}

/// How a cycle ends, committed together with its events.
public struct CycleCommit: Sendable {
    /// The source.
    public var source: String
    /// The scan's completion time the cycle started from; the commit fails if another collector
    /// moved the source on in the meantime.
    public var expectedPrevious: Timestamp?
    /// Forget the whole snapshot before the changes (the table was deleted).
    public var clearSnapshot: Bool
    /// The source's status afterwards.
    public var status: String
    /// This scan.
    public var window: ScanWindow
    /// Items in the table now.
    public var itemCount: Int

    /// A commit.
    public init(source: String, expectedPrevious: Timestamp?, clearSnapshot: Bool, status: String, window: ScanWindow, itemCount: Int) {
        self.source = source
        self.expectedPrevious = expectedPrevious
        self.clearSnapshot = clearSnapshot
        self.status = status
        self.window = window
        self.itemCount = itemCount
    }
}

/// Writes a cycle's events and snapshot changes, chunk by chunk, inside the cycle's transaction.
public struct CycleWriter {
    let connection: PostgresConnection
    let source: String
    var outcome = AppendOutcome(appended: 0, duplicates: 0, headSeq: 0)

    /// Appends `events` and applies `diff`'s snapshot changes.
    public mutating func write(events: [Event], diff: SnapshotDiff) throws {
        let o = try EventLog.append(events, on: connection)
        outcome = AppendOutcome(appended: outcome.appended + o.appended, duplicates: outcome.duplicates + o.duplicates, headSeq: o.headSeq)
        if !diff.deletions.isEmpty {
            try connection.run(NamedQuery("source_items_delete"), [.string(source), .textArray(diff.deletions)])
        }
        if !diff.upserts.isEmpty {
            try connection.run(NamedQuery("source_items_upsert"), [
                .string(source), .textArray(diff.upserts.map(\.key)),
                .textArray(diff.upserts.map(\.entry.kind.rawValue)), .textArray(diff.upserts.map(\.entry.value)),
            ])
        }
    }
}

/// Another collector committed a cycle of this source while this one was scanning.
public struct ConcurrentCycleError: Error, CustomStringConvertible {
    /// The source.
    public var source: String
    public var description: String { "another collector recorded a cycle of \(source) meanwhile; this cycle was discarded and will be redone" }
}

/// Persistence of polling sources: their snapshots and coverage, written in the same
/// transaction as the events a cycle produced.
public enum SourceStore {
    /// Registers `source` if it is new.
    public static func ensure(_ source: String, kind: String, on connection: PostgresConnection) throws {
        try connection.run(NamedQuery("sources_ensure"), [.string(source), .string(kind)])
    }

    /// The source's state, or nil if it was never collected.
    public static func state(of source: String, on connection: PostgresConnection) throws -> SourceState? {
        let r = try connection.run(NamedQuery("sources_read"), [.string(source)])
        guard r.rowCount == 1 else { return nil }
        return SourceState(
            status: r.string(0, 0) ?? "new", lastScanStarted: r.string(0, 1).flatMap(Timestamp.init(parsing:)),
            lastScanCompleted: r.string(0, 2).flatMap(Timestamp.init(parsing:)), failures: Int(r.int(0, 3) ?? 0),
            lastError: r.string(0, 4))
    }

    /// The stored snapshot of `source`.
    public static func snapshot(of source: String, on connection: PostgresConnection) throws -> [String: SnapshotEntry] {
        var out: [String: SnapshotEntry] = [:]
        try connection.transaction {
            try connection.forEachBatch(NamedQuery("source_items_load").sql, [.string(source)], batchSize: 20_000) { r in
                for row in 0..<r.rowCount {
                    guard let key = r.string(row, 0), let kind = r.string(row, 1).flatMap(SnapshotEntry.Kind.init(rawValue:)) else { continue }
                    out[key] = SnapshotEntry(kind: kind, value: r.string(row, 2) ?? "")
                }
            }
        }
        return out
    }

    /// Appends the cycle's events and stores its snapshot and coverage, all in one transaction;
    /// `body` writes the changes in chunks so a large table never sits in memory as events.
    public static func commit(_ cycle: CycleCommit, on connection: PostgresConnection,
                              _ body: (inout CycleWriter) throws -> Void) throws -> AppendOutcome {
        try connection.transaction {
            let locked = try connection.run(NamedQuery("sources_lock"), [.string(cycle.source)])
            guard locked.rowCount == 1 else {
                throw PostgresError(kind: .decoding, message: "source \(cycle.source) is not registered")
            }
            if locked.string(0, 2).flatMap(Timestamp.init(parsing:)) != cycle.expectedPrevious {
                throw ConcurrentCycleError(source: cycle.source)
            }
            if cycle.clearSnapshot {
                try connection.run(NamedQuery("source_items_clear"), [.string(cycle.source)])
            }
            var writer = CycleWriter(connection: connection, source: cycle.source)
            try body(&writer)
            try connection.run(NamedQuery("sources_record_success"), [
                .string(cycle.source), .string(cycle.status), .string(cycle.window.started.rfc3339),
                .string(cycle.window.completed.rfc3339), .int(Int64(cycle.itemCount)),
            ])
            return writer.outcome
        }
    }

    /// Records a failed cycle; coverage does not advance.
    public static func recordFailure(of source: String, error: String, at time: Timestamp, on connection: PostgresConnection) throws {
        try connection.run(NamedQuery("sources_record_failure"), [.string(source), .string(error), .string(time.rfc3339)])
    }
}
