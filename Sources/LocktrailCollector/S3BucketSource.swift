public import LocktrailAWS
public import LocktrailCore
public import LocktrailStore
public import Logging

/// An S3 bucket (optionally under a prefix) as a polling source. On a versioned bucket each cycle
/// follows the version history (`VersionHistory`: exact acquire and release times, also for locks
/// shorter than the poll interval); otherwise it compares listings (`LockFileDiff`). Only objects
/// or versions not seen before are read; what was seen is stored with the events in one transaction.
public struct S3BucketSource: PollingSource {
    /// The source name, `s3:<bucket>` or `s3:<bucket>/<prefix>`.
    public let name: String
    /// The bucket.
    public let bucket: String
    /// The key prefix watched; nil for the whole bucket.
    public let prefix: String?
    /// The client.
    public let client: S3Client
    /// How workspaces are laid out in the bucket.
    public let layout: WorkspaceLayout
    /// In listing mode, a pause between successful scans longer than this is recorded as a coverage gap.
    public let gapThreshold: Double
    /// GETs in flight at once.
    public let concurrency: Int
    /// The SQS queue this bucket's event notifications go to; nil without push.
    public let queueURL: String?
    /// Seconds between walks of a versioned bucket's whole version history (its other cycles read
    /// only the keys with news) and, with a queue, between reconciliations that repair what push
    /// missed. 0, the default here, walks the whole history every cycle; `collect` passes
    /// `--reconcile-interval` (10 minutes unless told otherwise).
    public let reconcileInterval: Double

    /// A source for `bucket`/`prefix`.
    public init(
        bucket: String, prefix: String?, client: S3Client, layout: WorkspaceLayout = .standard, gapThreshold: Double = 300,
        concurrency: Int = 16, queueURL: String? = nil, reconcileInterval: Double = 0
    ) {
        self.queueURL = queueURL
        self.reconcileInterval = reconcileInterval
        self.name = Self.sourceName(bucket: bucket, prefix: prefix)
        self.bucket = bucket
        self.prefix = prefix.flatMap { $0.isEmpty ? nil : $0 }
        self.client = client
        self.layout = layout
        self.gapThreshold = gapThreshold
        self.concurrency = concurrency
    }

    /// `s3:<bucket>` or `s3:<bucket>/<prefix>`: the collector and backfill record events under the same name.
    public static func sourceName(bucket: String, prefix: String?) -> String {
        guard let prefix, !prefix.isEmpty else { return "s3:" + bucket }
        return "s3:" + bucket + "/" + prefix
    }

    /// Splits `NAME[/PREFIX]` as given on the command line.
    public static func parse(_ text: String) -> (bucket: String, prefix: String?)? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        let prefix = parts.count > 1 ? String(parts[1]) : nil
        return (String(bucket), prefix.flatMap { $0.isEmpty ? nil : $0 })
    }

    var reader: S3Reader { S3Reader(client: client, bucket: bucket, prefix: prefix, concurrency: concurrency) }

    /// The rules this source's cycles follow.
    public var planner: S3CyclePlanner {
        var planner = S3CyclePlanner(source: name, bucket: bucket, layout: layout, gapThreshold: gapThreshold, prefix: prefix)
        planner.keepsHeads = true
        return planner
    }

    /// One polled cycle: on a versioned bucket the current objects, and the versions of the keys
    /// whose head changed (the whole history when a reconciliation is due); on any other bucket
    /// the whole listing. A failure is recorded against the source (coverage does not advance) and
    /// rethrown.
    public func runCycle(store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport {
        guard let report = try await runCycle(store: store, now: now, logger: logger, push: nil).report else {
            preconditionFailure("a polled cycle always observes")
        }
        return report
    }

    /// What a push cycle did, and when this source's next reconciliation is due.
    struct PushOutcome: Sendable {
        /// The cycle's report; nil when there was nothing to do.
        var report: CycleReport?
        /// When the next reconciliation is due.
        var nextReconciliation: Timestamp
        /// Lock files held at the end of the cycle (versioned buckets), whose release to look for.
        var held: Set<String> = []
        /// When the cycle's observation began, if it read the whole source (a reconciliation, or
        /// any listing of a bucket without versioning): what was notified before is covered.
        var reconciledFrom: Timestamp? = nil
    }

    /// A cycle with `push` (the notices a queue delivered, possibly none) or, with nil, a polled one.
    /// With push, a cycle runs only when the notices have news of this source's keys or a
    /// reconciliation is due; a reconciliation's finds are what push missed (`found_by`).
    ///
    /// `watch` names more keys to read with the notices' (lock files held at the last cycle: a
    /// release whose notice is late or lost — the emulator sends none for delete markers — is then
    /// found within one short poll). `queueRead`, how far the queue was read for this source, is
    /// committed with the cycle's events.
    func runCycle(
        store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger,
        push: [S3Notice]?, watch: Set<String> = [], queueRead: QueueRead? = nil
    ) async throws -> PushOutcome {
        let start = try await store.load(name, kind: .s3)
        let observation: S3BucketObservation?
        do {
            observation = try await observe(start, now: now, push: push, watch: watch)
        } catch {
            await PollingCycle.recordFailure(error, source: name, checkpoint: start.checkpoint, store: store, now: now)
            throw error
        }
        guard let observation else {
            return PushOutcome(
                report: nil, nextReconciliation: nextReconciliation(after: start.checkpoint, snapshot: start.snapshot),
                held: Self.heldLockFiles(start.snapshot))
        }
        var plan = planner.plan(checkpoint: start.checkpoint, snapshot: start.snapshot, observation: observation)
        plan.cursor.queueRead = queueRead
        let keys: String
        if case .keys(let set) = observation.scope { keys = "\(set.count)" } else { keys = "all" }
        logger.debug(
            "s3 cycle",
            metadata: [
                "source": "\(name)", "mode": "\(observation.listing.mode.rawValue)", "keys": "\(keys)",
                "reads": "\(observation.fetched.count)", "push": "\(push != nil)",
            ])
        var report = try await PollingCycle.commit(plan, store: store)
        if observation.repairsPush {
            // What a reconciliation appends beyond its coverage gaps, push had missed.
            report.repaired = max(0, report.appended - plan.events.filter { $0.kind == .coverageGap }.count)
            if report.repaired > 0 {
                logger.warning(
                    "reconciliation found what push missed",
                    metadata: [
                        "source": "\(name)", "events": "\(report.repaired)", "queue": "\(queueURL ?? "-")",
                    ])
            }
        }
        let after = start.checkpoint.advanced(by: plan.status)
        var snapshot = plan.cursor.resetsSnapshot ? [:] : start.snapshot
        for batch in plan.batches {
            for key in batch.deletions { snapshot[key] = nil }
            for (key, entry) in batch.upserts { snapshot[key] = entry }
        }
        var walked: Timestamp?
        if case .everything = observation.scope { walked = observation.started }
        return PushOutcome(
            report: report, nextReconciliation: nextReconciliation(after: after, snapshot: snapshot),
            held: after.status == .versioned ? Self.heldLockFiles(snapshot) : [], reconciledFrom: walked)
    }

    /// The lock files whose head (newest entry) is a version: held now, as far as the snapshot knows.
    static func heldLockFiles(_ snapshot: [String: SnapshotEntry]) -> Set<String> {
        Set(snapshot.keys.filter { $0.hasSuffix(".tflock#") }.map { String($0.dropLast()) })
    }

    /// When the next walk of the whole history (versioned) or full listing (otherwise) is due.
    func nextReconciliation(after checkpoint: SourceCheckpoint, snapshot: [String: SnapshotEntry]) -> Timestamp {
        let last = checkpoint.status == .versioned ? S3CyclePlanner.lastReconciled(snapshot) : checkpoint.lastScanStarted
        return (last ?? Timestamp(microsecondsSinceEpoch: 0)).adding(seconds: reconcileInterval)
    }

    /// The versioning, the listing it calls for, and the reads the planner asks for; nil when a
    /// push cycle has nothing to do.
    func observe(
        _ start: CycleStart, now: @escaping @Sendable () -> Timestamp, push: [S3Notice]? = nil,
        watch: Set<String> = []
    ) async throws -> S3BucketObservation? {
        let started = now()
        let versioning = try await client.getBucketVersioning(bucket: bucket)
        let listing: S3BucketObservation.Listing
        var scope = S3BucketObservation.Scope.everything
        var repairsPush = false
        let news = push.map { planner.keysWithNews(notices: $0) } ?? []
        if S3CyclePlanner.mode(versioningEnabled: versioning == .enabled) == .versioned {
            if planner.reconciliationDue(checkpoint: start.checkpoint, snapshot: start.snapshot, now: started, interval: reconcileInterval) {
                var entries: [S3HistoryEntry] = []
                for try await page in client.listAllVersions(bucket: bucket, prefix: prefix) {
                    entries += S3Reader.entries(of: page, startingAt: entries.count)
                }
                listing = .versions(entries)
                // The first walk of a source is its baseline, not a repair.
                repairsPush = push != nil && start.checkpoint.status == .versioned
            } else {
                let keys =
                    push == nil
                    ? planner.keysWithNews(current: try await reader.listObjects(), snapshot: start.snapshot)
                    : news.union(watch)
                if push != nil && keys.isEmpty { return nil }
                listing = .versions(try await reader.keyHistories(keys, known: start.snapshot))
                scope = .keys(keys)
            }
        } else {
            if push != nil && news.isEmpty {
                // Push on a bucket without versioning: a listing only when notices call for one or a reconciliation is due.
                guard nextReconciliation(after: start.checkpoint, snapshot: start.snapshot) <= started || start.checkpoint.status != .listing else {
                    return nil
                }
                repairsPush = start.checkpoint.status == .listing
            }
            listing = .objects(try await reader.listObjects())
        }
        let fetched = try await reader.fetch(planner.reads(checkpoint: start.checkpoint, snapshot: start.snapshot, listing: listing))
        var observation = S3BucketObservation(listing: listing, fetched: fetched, started: started, completed: now())
        observation.scope = scope
        observation.notices = push ?? []
        observation.repairsPush = repairsPush
        return observation
    }
}
