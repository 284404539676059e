/// The rules of one S3 bucket cycle: which mode the bucket is followed in (its version history
/// when versioning is enabled, listings otherwise; a change of mode forgets the snapshot, whose
/// keys mean something else in the other mode), which objects or versions to read, the events
/// (`VersionHistory`, `LockFileDiff`), and, in listing mode, a pause longer than the threshold as
/// a coverage gap.
public struct S3CyclePlanner: Sendable {
    /// The source name, `s3:<bucket>[/<prefix>]`.
    public var source: String
    /// The bucket.
    public var bucket: String
    /// How workspaces are laid out in the bucket.
    public var layout: WorkspaceLayout
    /// A pause between successful cycles longer than this (seconds) is a coverage gap.
    public var gapThreshold: Double

    /// Rules for one bucket (and prefix).
    public init(source: String, bucket: String, layout: WorkspaceLayout = .standard, gapThreshold: Double = 300) {
        self.source = source
        self.bucket = bucket
        self.layout = layout
        self.gapThreshold = gapThreshold
    }

    /// The mode of a bucket: only enabled versioning keeps every version (suspended versioning
    /// overwrites the `null` version in place, so only listings can follow it).
    public static func mode(versioningEnabled: Bool) -> SourceStatus { versioningEnabled ? .versioned : .listing }

    /// The snapshot a cycle in `mode` compares with, and whether the stored one is forgotten.
    public func baseline(checkpoint: SourceCheckpoint, snapshot: [String: SnapshotEntry],
                         mode: SourceStatus) -> (snapshot: [String: SnapshotEntry], resets: Bool) {
        let changed = [.versioned, .listing].contains(checkpoint.status) && checkpoint.status != mode
        return changed ? ([:], true) : (snapshot, false)
    }

    /// What to read before planning: versions, or new and changed objects, not seen before.
    public func reads(checkpoint: SourceCheckpoint, snapshot: [String: SnapshotEntry], listing: S3BucketObservation.Listing) -> [S3Read] {
        let known = baseline(checkpoint: checkpoint, snapshot: snapshot, mode: listing.mode).snapshot
        switch listing {
        case .versions(let entries): return history.reads(entries: entries, known: known)
        case .objects(let objects): return differ.reads(previous: known, listing: objects)
        }
    }

    /// The plan for `observation`, made from the source's `checkpoint` and stored `snapshot`.
    public func plan(checkpoint: SourceCheckpoint, snapshot: [String: SnapshotEntry], observation: S3BucketObservation) -> CyclePlan {
        let mode = observation.listing.mode
        let (known, resets) = baseline(checkpoint: checkpoint, snapshot: snapshot, mode: mode)
        let window = ScanWindow(previousStarted: checkpoint.lastScanStarted, started: observation.started, completed: observation.completed)
        var events: [Event] = []
        // The version history is complete whenever it is read, so only listings can miss something.
        let pause = mode != .listing ? nil : CoverageGapRules.pause(source: source, keyPrefix: "s3", mechanism: "s3-lockfile", checkpoint: checkpoint,
                                           started: observation.started, completed: observation.completed, threshold: gapThreshold,
                                           details: ["bucket": .string(bucket)])
        if let pause { events.append(pause) }
        var diff: SnapshotDiff
        let items: Int
        switch observation.listing {
        case .versions(let entries):
            diff = history.apply(entries: entries, known: known, fetched: observation.fetched, observedAt: observation.completed)
            // Versions no longer listed are forgotten: their events are already recorded.
            let listed = Set(entries.map(\.itemKey))
            diff.deletions = known.keys.filter { !listed.contains($0) }.sorted()
            items = entries.count
        case .objects(let objects):
            diff = differ.diff(previous: known, listing: objects, fetched: observation.fetched, window: window)
            items = objects.count
        }
        let gaps = events.count
        return CyclePlan(source: source, fence: OwnershipFence(planningFrom: checkpoint),
                         status: .observed(mode, window: window, items: items), cursor: SourceCursor(resetsSnapshot: resets),
                         batches: CycleBatches([CycleBatch(events: events, diff: diff)]), recordsGap: gaps > 0)
    }

    private var history: VersionHistory { VersionHistory(source: source, bucket: bucket, layout: layout) }
    private var differ: LockFileDiff { LockFileDiff(source: source, bucket: bucket, layout: layout) }
}
