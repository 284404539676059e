public import LocktrailCore
public import LocktrailPostgres

/// Where a backfill of one S3 source stands.
public struct BackfillCheckpoint: Sendable, Equatable {
    /// The last key whose whole history is recorded; nil at the start of the listing.
    public var keyMarker: String?
    /// Versions and delete markers imported so far.
    public var entries: Int64
    /// Events appended so far.
    public var events: Int64
    /// Whether the backfill finished.
    public var completed: Bool
}

/// Persistence of `locktrail backfill` on PostgreSQL: each batch of events is appended together
/// with the snapshot entries of the versions it read and the checkpoint, in one transaction, so
/// an interrupted backfill continues where the last batch ended and never records anything twice.
public struct BackfillStore: BackfillStateStore {
    private let pool: PostgresPool

    /// A store on `pool`.
    public init(pool: PostgresPool) { self.pool = pool }

    /// See `BackfillStateStore.checkpoint(of:)`.
    public func checkpoint(of source: String) async throws -> BackfillCheckpoint? {
        try await pool.withConnection { try Self.checkpoint(of: source, on: $0) }
    }

    /// See `BackfillStateStore.start(_:bucket:prefix:)`.
    public func start(_ source: String, bucket: String, prefix: String?) async throws {
        try await pool.withConnection { connection in
            try connection.transaction {
                try SourceStore.ensure(source, kind: .s3, on: connection)
                try connection.run(BackfillStatements.Start(source: source, bucket: bucket, prefix: prefix ?? ""))
            }
        }
    }

    /// See `BackfillStateStore.commit(source:events:upserts:keyMarker:entries:)`.
    public func commit(
        source: String, events: [Event], upserts: [(key: String, entry: SnapshotEntry)], keyMarker: String?,
        entries: Int
    ) async throws -> AppendOutcome {
        try await pool.withConnection { connection in
            try connection.transaction {
                let outcome = try EventLog.append(events, on: connection)
                try SourceStore.writeChanges(source: source, upserts: upserts, deletions: [], on: connection)
                let current = try Self.checkpoint(of: source, on: connection)
                try connection.run(
                    BackfillStatements.Advance(
                        source: source, keyMarker: keyMarker ?? current?.keyMarker, entries: entries, events: outcome.appended))
                return outcome
            }
        }
    }

    /// See `BackfillStateStore.complete(_:coverageEnds:)`.
    public func complete(_ source: String, coverageEnds: Timestamp?) async throws {
        try await pool.withConnection { connection in
            try connection.transaction {
                try connection.run(BackfillStatements.Complete(source: source))
                if let coverageEnds {
                    try connection.run(BackfillStatements.RecordCoverage(source: source, completed: coverageEnds))
                }
            }
        }
    }

    /// The checkpoint of `source` on `connection`.
    static func checkpoint(of source: String, on connection: PostgresConnection) throws -> BackfillCheckpoint? {
        guard let r = try connection.first(BackfillStatements.Read(source: source)) else { return nil }
        return BackfillCheckpoint(keyMarker: r.keyMarker, entries: r.entries, events: r.events, completed: r.completedAt != nil)
    }
}
