public import Logging
public import LocktrailAWS
public import LocktrailCore
public import LocktrailStore

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

    /// The rules this source's cycles follow.
    public var planner: S3CyclePlanner { S3CyclePlanner(source: name, bucket: bucket, layout: layout, gapThreshold: gapThreshold) }

    /// Lists the bucket once, reads what is new and commits what changed. A failure is recorded
    /// against the source (coverage does not advance) and rethrown.
    public func runCycle(store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport {
        let start = try await store.load(name, kind: .s3)
        let observation: S3BucketObservation
        do {
            observation = try await observe(start, now: now)
        } catch {
            await PollingCycle.recordFailure(error, source: name, checkpoint: start.checkpoint, store: store, now: now)
            throw error
        }
        let plan = planner.plan(checkpoint: start.checkpoint, snapshot: start.snapshot, observation: observation)
        logger.debug("s3 cycle", metadata: ["source": "\(name)", "mode": "\(observation.listing.mode.rawValue)",
                                            "reads": "\(observation.fetched.count)"])
        return try await PollingCycle.commit(plan, store: store)
    }

    /// The versioning, the listing of the mode it implies, and the reads the planner asks for.
    func observe(_ start: CycleStart, now: @escaping @Sendable () -> Timestamp) async throws -> S3BucketObservation {
        let started = now()
        let versioning = try await client.getBucketVersioning(bucket: bucket)
        let listing: S3BucketObservation.Listing
        if S3CyclePlanner.mode(versioningEnabled: versioning == .enabled) == .versioned {
            var entries: [S3HistoryEntry] = []
            for try await page in client.listAllVersions(bucket: bucket, prefix: prefix) {
                entries += S3Reader.entries(of: page, startingAt: entries.count)
            }
            listing = .versions(entries)
        } else {
            listing = .objects(try await reader.listObjects())
        }
        let fetched = try await reader.fetch(planner.reads(checkpoint: start.checkpoint, snapshot: start.snapshot, listing: listing))
        return S3BucketObservation(listing: listing, fetched: fetched, started: started, completed: now())
    }
}
