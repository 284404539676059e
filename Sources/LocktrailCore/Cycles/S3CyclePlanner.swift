/// The rules of one S3 bucket cycle: which mode the bucket is followed in (its version history
/// when versioning is enabled, listings otherwise; a change of mode forgets the snapshot, whose
/// keys mean something else in the other mode), which objects or versions to read, the events
/// (`VersionHistory`, `LockFileDiff`) and the coverage gaps, in every mode:
///
/// - a pause between successful cycles longer than the threshold (collector down, failing
///   listings): one gap for the source;
/// - on a versioned bucket, history pruned before it was read: a lock-file version or delete
///   marker, or a state version, that an earlier cycle had read and that is no longer listed
///   means versions of that key are being expired or deleted, so one made and removed since the
///   previous scan would leave no trace: a gap for that state from the previous scan's start to
///   this one's; and a new lock-file delete marker, later than the previous scan, with no version
///   listed before it: its lock was created and pruned unseen, a gap for that state up to the
///   marker. Before a source's first cycle nothing was covered, so there is nothing to mark.
public struct S3CyclePlanner: Sendable {
    /// The source name, `s3:<bucket>[/<prefix>]`.
    public var source: String
    /// The bucket.
    public var bucket: String
    /// How workspaces are laid out in the bucket.
    public var layout: WorkspaceLayout
    /// A pause between successful cycles longer than this (seconds) is a coverage gap.
    public var gapThreshold: Double
    /// The key prefix watched; nil for the whole bucket.
    public var prefix: String?
    /// Whether the source reads only the keys with news between walks of the whole history, and
    /// so keeps each key's head and the time of the last walk in its snapshot (the collector's
    /// bucket source); without, every versioned cycle walks the whole history.
    public var keepsHeads = false

    /// Rules for one bucket (and prefix).
    public init(source: String, bucket: String, layout: WorkspaceLayout = .standard, gapThreshold: Double = 300, prefix: String? = nil) {
        self.source = source
        self.bucket = bucket
        self.layout = layout
        self.gapThreshold = gapThreshold
        self.prefix = prefix
    }

    /// The mode of a bucket: only enabled versioning keeps every version (suspended versioning
    /// overwrites the `null` version in place, so only listings can follow it).
    public static func mode(versioningEnabled: Bool) -> SourceStatus { versioningEnabled ? .versioned : .listing }

    /// The snapshot a cycle in `mode` compares with, and whether the stored one is forgotten.
    public func baseline(
        checkpoint: SourceCheckpoint, snapshot: [String: SnapshotEntry],
        mode: SourceStatus
    ) -> (snapshot: [String: SnapshotEntry], resets: Bool) {
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
        // Every mode: even a versioned bucket's history can be pruned while nobody reads it.
        let pause = CoverageGapRules.pause(
            source: source, keyPrefix: "s3", mechanism: .s3Lockfile, checkpoint: checkpoint,
            started: observation.started, completed: observation.completed, threshold: gapThreshold,
            bucket: bucket)
        if let pause { events.append(pause) }
        var diff: SnapshotDiff
        let items: Int
        // The pruning rules look back to the last walk of the whole history, not to the last
        // (push or frequent) cycle, which read only the keys it had news of.
        let sinceWalk = ScanWindow(
            previousStarted: Self.lastReconciled(known) ?? checkpoint.lastScanStarted,
            started: observation.started, completed: observation.completed)
        switch (observation.listing, observation.scope) {
        case (.versions(let entries), .everything):
            diff = history.apply(entries: entries, known: known, fetched: observation.fetched, observedAt: observation.completed)
            // Versions no longer listed are forgotten: their events are already recorded.
            let listed = Set(entries.map(\.itemKey))
            diff.deletions = known.keys.filter { !Self.isBookkeeping($0) && !listed.contains($0) }.sorted()
            if !resets {
                events += prunedHistoryGaps(gone: diff.deletions, known: known, entries: entries, window: sinceWalk)
            }
            if keepsHeads {
                updateHeads(&diff, entries: entries, keys: nil, known: known)
                diff.upserts.append((Self.reconciledKey, .other(fingerprint: String(observation.started.microseconds))))
            }
            items = entries.count
        case (.versions(let entries), .keys(let keys)):
            diff = history.apply(entries: entries, known: known, fetched: observation.fetched, observedAt: observation.completed)
            if !resets {
                events += prunedHistoryGaps(gone: [], known: known, entries: entries, window: sinceWalk)
            }
            if keepsHeads { updateHeads(&diff, entries: entries, keys: keys, known: known) }
            items = entries.count
        case (.objects(let objects), _):
            // An object listing is always of the whole prefix: a release is only bounded by two listings.
            diff = differ.diff(previous: known, listing: objects, fetched: observation.fetched, window: window)
            items = objects.count
        }
        diff.events = diff.events.map { event in
            var extra = Self.principalDetails(of: event, notices: observation.notices, versioned: mode == .versioned)
            if observation.repairsPush { extra["found_by"] = "reconciliation" }
            return extra.isEmpty ? event : Self.adding(extra, to: event)
        }
        let gaps = events.count
        return CyclePlan(
            source: source, fence: OwnershipFence(planningFrom: checkpoint),
            status: .observed(mode, window: window, items: items), cursor: SourceCursor(resetsSnapshot: resets),
            batches: CycleBatches([CycleBatch(events: events, diff: diff)]), recordsGap: gaps > 0)
    }

    private var history: VersionHistory { VersionHistory(source: source, bucket: bucket, layout: layout) }
    private var differ: LockFileDiff { LockFileDiff(source: source, bucket: bucket, layout: layout) }
    private var builder: S3EventBuilder { S3EventBuilder(source: source, bucket: bucket, layout: layout) }

    /// Gaps for states whose version history was pruned before locktrail read all of it.
    private func prunedHistoryGaps(
        gone: [String], known: [String: SnapshotEntry], entries: [S3HistoryEntry],
        window: ScanWindow
    ) -> [Event] {
        guard let previousStarted = window.previousStarted else { return [] }
        var events: [Event] = []

        // Read before, listed no more: this key's versions are being expired (or deleted).
        var pruned: [String: (state: StateIdentity, key: String, mechanism: Mechanism)] = [:]
        for itemKey in gone {
            guard let hash = itemKey.lastIndex(of: "#") else { continue }
            let key = String(itemKey[..<hash])
            let found: (StateIdentity?, Mechanism)
            switch known[itemKey] {
            case .lockFile?: found = (builder.lockFileState(key), .s3Lockfile)
            case .deleteMarker? where key.hasSuffix(".tflock"): found = (builder.lockFileState(key), .s3Lockfile)
            case .state?: found = (builder.objectState(key), .s3State)
            default: continue
            }
            guard let state = found.0, pruned[state.lockPath] == nil else { continue }
            pruned[state.lockPath] = (state, key, found.1)
        }
        for lockPath in pruned.keys.sorted() {
            let (state, key, mechanism) = pruned[lockPath]!
            events.append(
                CoverageGapRules.gap(
                    key: "s3|\(source)|gap|pruned|\(lockPath)|\(previousStarted.microseconds)|\(window.started.microseconds)",
                    source: source, mechanism: mechanism, observedAt: window.completed, state: state,
                    details: CoverageGapDetails(
                        from: previousStarted, to: window.started,
                        reason:
                            "versions of \(key) read before are no longer listed (expired or deleted): one made and removed since the previous scan would leave no trace",
                        bucket: bucket, objectKey: key)))
        }

        // A lock's delete marker whose version was never read: the lock came and went unseen.
        var byKey: [String: [S3HistoryEntry]] = [:]
        for entry in entries where entry.isLockFile { byKey[entry.key, default: []].append(entry) }
        for key in byKey.keys.sorted() {
            guard let oldest = VersionHistory.chronological(byKey[key]!).first, oldest.isDeleteMarker, known[oldest.itemKey] == nil,
                oldest.lastModified > previousStarted, let state = builder.lockFileState(key)
            else { continue }
            events.append(
                CoverageGapRules.gap(
                    key: "s3|\(source)|gap|orphan|\(key)|\(oldest.versionID)", source: source, mechanism: .s3Lockfile,
                    observedAt: window.completed, state: state,
                    details: CoverageGapDetails(
                        from: previousStarted, to: oldest.lastModified,
                        reason:
                            "delete marker \(oldest.versionID) of \(key) has no version listed before it: the lock it released was pruned before it was read",
                        bucket: bucket, objectKey: key, versionID: oldest.versionID)))
        }
        return events
    }
}
