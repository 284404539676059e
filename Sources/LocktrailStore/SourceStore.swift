public import LocktrailCore
public import LocktrailPostgres

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
            return CycleStart(
                checkpoint: try Self.state(of: source, on: connection) ?? .new, snapshot: try Self.snapshot(of: source, on: connection),
                stream: try Self.stream(of: source, on: connection))
        }
    }

    /// Commits `plan` in one transaction (see `SourceStateStore.commit`).
    @discardableResult
    public func commit(_ plan: CyclePlan) async throws -> AppendOutcome {
        try await pool.withConnection { try Self.commit(plan, on: $0) }
    }

    /// Records how far a queue was read for sources with nothing to commit (see `SourceStateStore.recordQueueReads`).
    public func recordQueueReads(_ reads: [String: QueueRead], fence: OwnershipFence) async throws {
        guard !reads.isEmpty else { return }
        try await pool.withConnection { connection in
            try connection.transaction {
                if let token = fence.leaseToken {
                    try LeaseStore.requireCurrent(token, of: fence.leaseName ?? "queue:" + (reads.values.first?.queue ?? ""), on: connection)
                }
                for (source, read) in reads.sorted(by: { $0.key < $1.key }) {
                    try connection.run(QueueStatements.Record(source: source, read: read))
                }
            }
        }
    }

    /// Derives holds and writes up to the log's head (`Derivation.catchUp`).
    public func catchUpDerivation() async throws {
        try await pool.withConnection { try Derivation.catchUp(on: $0) }
    }

    /// Registers `source` if it is new.
    public static func ensure(_ source: String, kind: SourceKind, on connection: PostgresConnection) throws {
        try connection.run(SourceStatements.Ensure(source: source, kind: kind.rawValue))
    }

    /// The source's coverage, or nil if it is not registered.
    public static func state(of source: String, on connection: PostgresConnection) throws -> SourceCheckpoint? {
        guard let r = try connection.first(SourceStatements.Read(source: source)) else { return nil }
        return SourceCheckpoint(
            status: SourceStatus(rawValue: r.status) ?? .new, lastScanStarted: r.lastScanStarted,
            lastScanCompleted: r.lastScanCompleted, failures: r.failures, lastError: r.lastError)
    }

    /// The stored snapshot of `source`.
    public static func snapshot(of source: String, on connection: PostgresConnection) throws -> [String: SnapshotEntry] {
        var out: [String: SnapshotEntry] = [:]
        try connection.transaction {
            try connection.forEachBatch(SourceStatements.ItemsLoad(source: source), batchSize: 20_000) { rows in
                for item in try rows.decode(SourceStatements.ItemsLoad.Record.self) {
                    guard let entry = SnapshotEntry(storedKind: item.kind, value: item.value ?? "") else { continue }
                    out[item.key] = entry
                }
            }
        }
        return out
    }

    /// The stream `source` reads and its positions in that stream's shards, or nil.
    public static func stream(of source: String, on connection: PostgresConnection) throws -> StreamCheckpoint? {
        guard let r = try connection.first(StreamStatements.Read(source: source)) else { return nil }
        var checkpoint = StreamCheckpoint(streamARN: r.streamARN, attachedAt: r.attachedAt, readThrough: r.readThrough, repairs: r.repairs)
        for position in try connection.records(StreamStatements.Positions(source: source, streamARN: r.streamARN)) {
            checkpoint.positions[position.shardID] = position.sequenceNumber
            if position.finished { checkpoint.finished.insert(position.shardID) }
        }
        return checkpoint
    }

    /// Commits `plan` in one transaction on `connection` (see `SourceStateStore.commit`).
    public static func commit(_ plan: CyclePlan, on connection: PostgresConnection) throws -> AppendOutcome {
        let source = plan.source
        let observed: (status: SourceStatus, window: ScanWindow, items: Int)?
        switch plan.status {
        case .failed(let message, let time):
            try connection.transaction {
                // A collector that lost the source has no failure of it to report.
                if let token = plan.fence.leaseToken { try LeaseStore.requireCurrent(token, of: plan.fence.leaseName ?? source, on: connection) }
                try recordFailure(of: source, error: message, at: time, on: connection)
            }
            return AppendOutcome(appended: 0, duplicates: 0, headSeq: 0)
        case .observed(let status, let window, let items): observed = (status, window, items)
        case .pushed, .progress: observed = nil
        }
        // Refuse what there is no check for, before anything is written.
        if plan.cursor.shardPositions.contains(where: { $0.streamARN.isEmpty }) {
            throw UnsupportedPlanError(source: source, what: "stream shard positions without their stream's ARN")
        }
        return try connection.transaction {
            guard let locked = try connection.first(SourceStatements.Lock(source: source)) else {
                throw PostgresError(kind: .decoding, message: "source \(source) is not registered")
            }
            // The fences: the rows are locked until commit, so no other collector can move the
            // source on, or take it over, now.
            if let token = plan.fence.leaseToken {
                try LeaseStore.requireCurrent(token, of: plan.fence.leaseName ?? source, on: connection)
            }
            if locked.lastScanCompleted != plan.fence.coverage {
                throw ConcurrentCycleError(source: source)
            }
            try writeStream(source: source, cursor: plan.cursor, on: connection)
            if let read = plan.cursor.queueRead {
                // With the events of the messages read, so the lag says how far behind the log is.
                try connection.run(QueueStatements.Record(source: source, read: read))
            }
            if plan.cursor.resetsSnapshot {
                try connection.run(SourceStatements.ItemsClear(source: source))
            }
            var outcome = AppendOutcome(appended: 0, duplicates: 0, headSeq: 0)
            for batch in plan.batches where !batch.isEmpty {
                let o = try EventLog.append(batch.events, on: connection)
                outcome = AppendOutcome(appended: outcome.appended + o.appended, duplicates: outcome.duplicates + o.duplicates, headSeq: o.headSeq)
                try writeChanges(source: source, upserts: batch.upserts, deletions: batch.deletions, on: connection)
            }
            if let observed {
                try connection.run(
                    SourceStatements.RecordSuccess(
                        source: source, status: observed.status.rawValue, started: observed.window.started, completed: observed.window.completed,
                        items: observed.items))
            }
            return outcome
        }
    }

    /// Stores a plan's stream and shard positions (inside the caller's transaction). Each shard's
    /// stored position must be the one the plan read from — the shard's fence: a plan of another
    /// reader that moved it on meanwhile makes this one a `ConcurrentCycleError`.
    static func writeStream(source: String, cursor: SourceCursor, on connection: PostgresConnection) throws {
        if let attachment = cursor.stream {
            try connection.run(StreamStatements.Attach(source: source, attachment: attachment))
            try connection.run(StreamStatements.Forget(source: source, keeping: attachment.streamARN, all: attachment.restarts))
        }
        for position in cursor.shardPositions {
            let stored = try connection.first(StreamStatements.PositionLock(source: source, streamARN: position.streamARN, shardID: position.shardID))
            guard stored?.sequenceNumber == position.previous else { throw ConcurrentCycleError(source: source) }
            try connection.run(StreamStatements.Advance(source: source, position: position))
        }
    }

    /// Stores snapshot changes of `source` (inside the caller's transaction).
    static func writeChanges(
        source: String, upserts: [(key: String, entry: SnapshotEntry)], deletions: [String],
        on connection: PostgresConnection
    ) throws {
        if !deletions.isEmpty {
            try connection.run(SourceStatements.ItemsDelete(source: source, keys: deletions))
        }
        if !upserts.isEmpty {
            try connection.run(
                SourceStatements.ItemsUpsert(
                    source: source, keys: upserts.map(\.key), kinds: upserts.map(\.entry.kind.rawValue), values: upserts.map(\.entry.storedValue)))
        }
    }

    /// Every source with its coverage and owner, and every lease that is no source's.
    public func list() async throws -> [SourceOverview] {
        try await pool.withConnection { connection in
            try connection.records(SourceStatements.List()).map(SourceOverview.init)
        }
    }

    /// Records a failed cycle; coverage does not advance.
    public static func recordFailure(of source: String, error: String, at time: Timestamp, on connection: PostgresConnection) throws {
        try connection.run(SourceStatements.RecordFailure(source: source, error: error, at: time))
    }
}
