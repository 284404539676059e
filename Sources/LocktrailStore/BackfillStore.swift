import LocktrailCore
import LocktrailPostgres

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

/// Persistence of `locktrail backfill`: each batch of events is appended together with the
/// snapshot entries of the versions it read and the checkpoint, in one transaction, so an
/// interrupted backfill continues where the last batch ended and never records anything twice.
public enum BackfillStore {
    /// The checkpoint of `source`, or nil if it was never backfilled.
    public static func checkpoint(of source: String, on connection: PostgresConnection) throws -> BackfillCheckpoint? {
        let r = try connection.run(NamedQuery("s3_backfill_read"), [.string(source)])
        guard r.rowCount == 1 else { return nil }
        return BackfillCheckpoint(keyMarker: r.string(0, 0), entries: r.int(0, 1) ?? 0, events: r.int(0, 2) ?? 0,
                                  completed: r.string(0, 3) != nil)
    }

    /// Starts (or restarts) the backfill of `source` from the beginning of the listing.
    public static func start(_ source: String, bucket: String, prefix: String?, on connection: PostgresConnection) throws {
        try connection.transaction {
            try SourceStore.ensure(source, kind: "s3", on: connection)
            try connection.run(NamedQuery("s3_backfill_start"), [.string(source), .string(bucket), .string(prefix ?? "")])
        }
    }

    /// Appends a batch's events, remembers its versions as seen by `source`, and moves the checkpoint
    /// to `keyMarker` (nil keeps it), all in one transaction.
    public static func commit(source: String, events: [Event], upserts: [(key: String, entry: SnapshotEntry)], keyMarker: String?,
                              entries: Int, on connection: PostgresConnection) throws -> AppendOutcome {
        try connection.transaction {
            let outcome = try EventLog.append(events, on: connection)
            if !upserts.isEmpty {
                try connection.run(NamedQuery("source_items_upsert"), [
                    .string(source), .textArray(upserts.map(\.key)), .textArray(upserts.map(\.entry.kind.rawValue)),
                    .textArray(upserts.map(\.entry.value)),
                ])
            }
            let current = try checkpoint(of: source, on: connection)
            try connection.run(NamedQuery("s3_backfill_advance"), [
                .string(source), .string(keyMarker ?? current?.keyMarker), .int(Int64(entries)), .int(Int64(outcome.appended)),
            ])
            return outcome
        }
    }

    /// Marks the backfill of `source` finished.
    public static func complete(_ source: String, on connection: PostgresConnection) throws {
        try connection.run(NamedQuery("s3_backfill_complete"), [.string(source)])
    }
}
