import Logging
import LocktrailAWS
import LocktrailCore
import LocktrailPostgres
import LocktrailStore

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

    /// A source for `bucket`/`prefix`.
    public init(bucket: String, prefix: String?, client: S3Client, layout: WorkspaceLayout = .standard, gapThreshold: Double = 300,
                concurrency: Int = 16) {
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

    public func runCycle(pool: PostgresPool, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport {
        let name = self.name
        let (state, stored) = try await pool.withConnection { connection in
            try SourceStore.ensure(name, kind: "s3", on: connection)
            return (try SourceStore.state(of: name, on: connection), try SourceStore.snapshot(of: name, on: connection))
        }
        let started = now()
        let mode: String
        var previous = stored
        var clear = false
        var diff = SnapshotDiff()
        var items = 0
        do {
            let versioning = try await client.getBucketVersioning(bucket: bucket)
            // Suspended versioning overwrites the `null` version in place: only listings can follow it.
            mode = versioning == .enabled ? "versioned" : "listing"
            if let status = state?.status, ["versioned", "listing"].contains(status), status != mode {
                // The snapshot's keys mean something else in the other mode.
                previous = [:]
                clear = true
            }
            if mode == "versioned" {
                var entries: [S3HistoryEntry] = []
                for try await page in client.listAllVersions(bucket: bucket, prefix: prefix) {
                    entries += S3Reader.entries(of: page, startingAt: entries.count)
                }
                let history = VersionHistory(source: name, bucket: bucket, layout: layout)
                let fetched = try await reader.fetch(history.reads(entries: entries, known: previous))
                diff = history.apply(entries: entries, known: previous, fetched: fetched, observedAt: now())
                // Versions pruned since are forgotten: their events are already recorded.
                let listed = Set(entries.map(\.itemKey))
                diff.deletions = previous.keys.filter { !listed.contains($0) }.sorted()
                items = entries.count
            } else {
                let listing = try await reader.listObjects()
                let differ = LockFileDiff(source: name, bucket: bucket, layout: layout)
                let fetched = try await reader.fetch(differ.reads(previous: previous, listing: listing))
                let window = ScanWindow(previousStarted: state?.lastScanStarted, started: started, completed: now())
                diff = differ.diff(previous: previous, listing: listing, fetched: fetched, window: window)
                items = listing.count
            }
        } catch {
            await PollingCycle.recordFailure(error, source: name, pool: pool, now: now)
            throw error
        }
        let completed = now()
        let window = ScanWindow(previousStarted: state?.lastScanStarted, started: started, completed: completed)
        var events: [Event] = []
        // The version history is complete whenever it is read, so only listings can miss something.
        let gapEvent = mode != "listing" ? nil : PollingCycle.coverageGap(
            source: name, keyPrefix: "s3", mechanism: "s3-lockfile", state: state, started: started, completed: completed,
            threshold: gapThreshold, details: ["bucket": .string(bucket)])
        let gap = gapEvent != nil
        if let gapEvent { events.append(gapEvent) }
        events += diff.events
        let commit = CycleCommit(source: name, expectedPrevious: state?.lastScanCompleted, clearSnapshot: clear,
                                 status: mode, window: window, itemCount: items)
        let (cycleEvents, cycleDiff) = (events, diff)
        let outcome = try await pool.withConnection { connection in
            try SourceStore.commit(commit, on: connection) { writer in try writer.write(events: cycleEvents, diff: cycleDiff) }
        }
        logger.debug("s3 cycle", metadata: ["source": "\(name)", "mode": "\(mode)", "reads": "\(diff.upserts.count)"])
        return CycleReport(source: name, items: items, appended: outcome.appended, duplicates: outcome.duplicates,
                           tableMissing: false, gapRecorded: gap)
    }
}
