import LocktrailCore
import LocktrailPostgres

/// Another collector committed a cycle of this source while this one was observing.
public struct ConcurrentCycleError: Error, CustomStringConvertible {
    /// The source.
    public var source: String
    public var description: String { "another collector recorded a cycle of \(source) meanwhile; this cycle was discarded and will be redone" }
}

/// Persistence of polling sources on PostgreSQL: their snapshots and coverage, written in the
/// same transaction as the events a cycle produced. The libpq calls run on the pool's blocking
/// queue, never on the cooperative pool.
public struct SourceStore: SourceStateStore {
    private let pool: PostgresPool

    /// A store on `pool`.
    public init(pool: PostgresPool) { self.pool = pool }

    /// Registers `source` if new and reads its checkpoint and snapshot, on one connection.
    public func load(_ source: String, kind: SourceKind) async throws -> CycleStart {
        try await pool.withConnection { connection in
            try Self.ensure(source, kind: kind, on: connection)
            return CycleStart(checkpoint: try Self.state(of: source, on: connection) ?? .new, snapshot: try Self.snapshot(of: source, on: connection))
        }
    }

    /// Commits `plan` in one transaction (see `SourceStateStore.commit`).
    @discardableResult
    public func commit(_ plan: CyclePlan) async throws -> AppendOutcome {
        try await pool.withConnection { try Self.commit(plan, on: $0) }
    }

    /// Derives holds and writes up to the log's head (`Derivation.catchUp`).
    public func catchUpDerivation() async throws {
        try await pool.withConnection { try Derivation.catchUp(on: $0) }
    }

    /// Registers `source` if it is new.
    public static func ensure(_ source: String, kind: SourceKind, on connection: PostgresConnection) throws {
        try connection.run(NamedQuery("sources_ensure"), [.string(source), .string(kind.rawValue)])
    }

    /// The source's coverage, or nil if it is not registered.
    public static func state(of source: String, on connection: PostgresConnection) throws -> SourceCheckpoint? {
        let r = try connection.run(NamedQuery("sources_read"), [.string(source)])
        guard r.rowCount == 1 else { return nil }
        return SourceCheckpoint(
            status: r.string(0, 0).flatMap(SourceStatus.init(rawValue:)) ?? .new,
            lastScanStarted: r.string(0, 1).flatMap(Timestamp.init(parsing:)),
            lastScanCompleted: r.string(0, 2).flatMap(Timestamp.init(parsing:)), failures: Int(r.int(0, 3) ?? 0),
            lastError: r.string(0, 4))
    }

    /// The stored snapshot of `source`.
    public static func snapshot(of source: String, on connection: PostgresConnection) throws -> [String: SnapshotEntry] {
        var out: [String: SnapshotEntry] = [:]
        try connection.transaction {
            try connection.forEachBatch(NamedQuery("source_items_load").sql, [.string(source)], batchSize: 20_000) { r in
                for row in 0..<r.rowCount {
                    guard let key = r.string(row, 0), let kind = r.string(row, 1),
                          let entry = SnapshotEntry(storedKind: kind, value: r.string(row, 2) ?? "") else { continue }
                    out[key] = entry
                }
            }
        }
        return out
    }

    /// Commits `plan` in one transaction on `connection` (see `SourceStateStore.commit`).
    public static func commit(_ plan: CyclePlan, on connection: PostgresConnection) throws -> AppendOutcome {
        let source = plan.source
        guard case .observed(let status, let window, let items) = plan.status else {
            if case .failed(let message, let time) = plan.status { try recordFailure(of: source, error: message, at: time, on: connection) }
            return AppendOutcome(appended: 0, duplicates: 0, headSeq: 0)
        }
        // Refuse what there is no table or check for yet, before anything is written.
        if plan.fence.leaseToken != nil { throw UnsupportedPlanError(source: source, what: "lease tokens") }
        if !plan.cursor.shardPositions.isEmpty { throw UnsupportedPlanError(source: source, what: "stream shard positions") }
        return try connection.transaction {
            let locked = try connection.run(NamedQuery("sources_lock"), [.string(source)])
            guard locked.rowCount == 1 else {
                throw PostgresError(kind: .decoding, message: "source \(source) is not registered")
            }
            // The fence: the row is locked until commit, so no other collector can move it on now.
            if locked.string(0, 2).flatMap(Timestamp.init(parsing:)) != plan.fence.coverage {
                throw ConcurrentCycleError(source: source)
            }
            if plan.cursor.resetsSnapshot {
                try connection.run(NamedQuery("source_items_clear"), [.string(source)])
            }
            var outcome = AppendOutcome(appended: 0, duplicates: 0, headSeq: 0)
            for batch in plan.batches where !batch.isEmpty {
                let o = try EventLog.append(batch.events, on: connection)
                outcome = AppendOutcome(appended: outcome.appended + o.appended, duplicates: outcome.duplicates + o.duplicates, headSeq: o.headSeq)
                try writeChanges(source: source, upserts: batch.upserts, deletions: batch.deletions, on: connection)
            }
            try connection.run(NamedQuery("sources_record_success"), [
                .string(source), .string(status.rawValue), .string(window.started.rfc3339),
                .string(window.completed.rfc3339), .int(Int64(items)),
            ])
            return outcome
        }
    }

    /// Stores snapshot changes of `source` (inside the caller's transaction).
    static func writeChanges(source: String, upserts: [(key: String, entry: SnapshotEntry)], deletions: [String],
                             on connection: PostgresConnection) throws {
        if !deletions.isEmpty {
            try connection.run(NamedQuery("source_items_delete"), [.string(source), .textArray(deletions)])
        }
        if !upserts.isEmpty {
            try connection.run(NamedQuery("source_items_upsert"), [
                .string(source), .textArray(upserts.map(\.key)),
                .textArray(upserts.map(\.entry.kind.rawValue)), .textArray(upserts.map(\.entry.storedValue)),
            ])
        }
    }

    /// Records a failed cycle; coverage does not advance.
    public static func recordFailure(of source: String, error: String, at time: Timestamp, on connection: PostgresConnection) throws {
        try connection.run(NamedQuery("sources_record_failure"), [.string(source), .string(error), .string(time.rfc3339)])
    }
}
