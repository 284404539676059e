public import LocktrailCore

/// `locktrail backfill`'s door to the log: its checkpoint, and each batch committed with it.
public protocol BackfillStateStore: Sendable {
    /// The checkpoint of `source`, or nil if it was never backfilled.
    func checkpoint(of source: String) async throws -> BackfillCheckpoint?
    /// Starts (or restarts) the backfill of `source` from the beginning of the listing.
    func start(_ source: String, bucket: String, prefix: String?) async throws
    /// Appends a batch's events, remembers its versions as seen by `source`, and moves the
    /// checkpoint to `keyMarker` (nil keeps it), all in one transaction.
    func commit(
        source: String, events: [Event], upserts: [(key: String, entry: SnapshotEntry)], keyMarker: String?,
        entries: Int
    ) async throws -> AppendOutcome
    /// Marks the backfill of `source` finished. With `coverageEnds` (the whole version history of
    /// a versioned bucket was listed by then), a source no collector has covered yet counts as
    /// covered from the backfill's start to that time.
    func complete(_ source: String, coverageEnds: Timestamp?) async throws
}
