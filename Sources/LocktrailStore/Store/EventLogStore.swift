public import LocktrailCore
import LocktrailPostgres

/// The event log through the store: append, read a range, verify.
public struct EventLogStore: Sendable {
    let pool: PostgresPool

    /// Appends `events` in one transaction, skipping those whose key is already stored.
    public func append(_ events: [Event]) async throws -> AppendOutcome {
        try await EventLog.append(events, pool: pool)
    }

    /// Up to `limit` events after `seq`, oldest first, optionally of one kind or state, and
    /// optionally only those about a lock ID no hold exists for (`unmatched`; catch up first).
    public func list(
        after seq: Int64, kind: String? = nil, state: String? = nil, limit: Int, unmatched: Bool = false
    ) async throws -> [StoredEvent] {
        try await pool.withConnection { try EventLog.list(after: seq, kind: kind, state: state, limit: limit, unmatched: unmatched, on: $0) }
    }

    /// Up to `limit` events after `seq` observed in `[since, until)`, oldest first: one page of an export.
    public func exportPage(after seq: Int64, since: Timestamp?, until: Timestamp?, limit: Int) async throws -> [StoredEvent] {
        try await pool.withConnection { try Answers.exportPage(after: seq, since: since, until: until, limit: limit, on: $0) }
    }

    /// Recomputes the whole chain in constant memory and reports the first break.
    public func verify() async throws -> VerificationReport {
        try await pool.withConnection { try EventLog.verify(on: $0) }
    }

    /// The chain head as recorded: the last event's seq and hash (0 and 32 zero bytes when empty).
    public func head() async throws -> (seq: Int64, hash: [UInt8]) {
        try await pool.withConnection { try EventLog.head(on: $0) }
    }

    /// Runs `body` with a lookup of stored event hashes on one connection (checking signed
    /// checkpoints asks for many), off the cooperative pool like every other call.
    public func withHashLookup<T: Sendable>(_ body: @escaping @Sendable (_ hashOfEvent: (Int64) throws -> [UInt8]?) throws -> T) async throws -> T {
        try await pool.withConnection { connection in try body { try EventLog.hash(ofEvent: $0, on: connection) } }
    }

    /// The stored hash of event `seq`, nil when there is no such event.
    public func hash(ofEvent seq: Int64) async throws -> [UInt8]? {
        try await pool.withConnection { try EventLog.hash(ofEvent: seq, on: $0) }
    }
}
