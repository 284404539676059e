import Foundation
public import LocktrailAWS
public import LocktrailCore
public import LocktrailStore

/// `locktrail backfill`: imports the whole version history of a bucket (prefix) that exists,
/// also from before locktrail was installed, with the same rules as the polling collector
/// (`VersionHistory`), so the events are the same ones and re-importing is a no-op.
///
/// It lists pages, reads the versions `S3BackfillPlanner` asks for, and commits each batch the
/// planner hands back with its checkpoint key; a restart lists again after that key.
public struct S3Backfill: Sendable {
    /// What the backfill has done so far.
    public struct Progress: Sendable, Equatable {
        /// The source the events are recorded under.
        public var source: String
        /// Versions and delete markers listed in this run.
        public var listed: Int = 0
        /// Versions read in this run.
        public var read: Int = 0
        /// Events appended in this run.
        public var appended: Int = 0
        /// Events skipped in this run as already recorded.
        public var duplicates: Int = 0
        /// The key the run continued after, when it resumed an interrupted backfill.
        public var resumedAfter: String?
        /// Seconds since the run started.
        public var seconds: Double = 0
        /// Whether the listing is complete.
        public var finished = false
    }

    /// The bucket.
    public let bucket: String
    /// The prefix; nil for the whole bucket.
    public let prefix: String?
    /// The client.
    public let client: S3Client
    /// How workspaces are laid out in the bucket.
    public let layout: WorkspaceLayout
    /// GETs in flight at once.
    public let concurrency: Int
    /// Entries per ListObjectVersions page (S3's maximum is 1000).
    public let pageSize: Int

    /// A backfill of `bucket`/`prefix`.
    public init(
        bucket: String, prefix: String?, client: S3Client, layout: WorkspaceLayout = .standard, concurrency: Int = 16,
        pageSize: Int = 1000
    ) {
        self.bucket = bucket
        self.prefix = prefix.flatMap { $0.isEmpty ? nil : $0 }
        self.client = client
        self.layout = layout
        self.concurrency = concurrency
        self.pageSize = pageSize
    }

    /// The source name the events are recorded under (the collector's, so both dedupe and read alike).
    public var source: String { S3BucketSource.sourceName(bucket: bucket, prefix: prefix) }

    /// Runs (or continues) the backfill; `fromStart` ignores an unfinished checkpoint. `progress` is
    /// called after every page.
    public func run(
        store: any BackfillStateStore, fromStart: Bool = false, now: @escaping @Sendable () -> Timestamp,
        progress: @escaping @Sendable (Progress) -> Void = { _ in }
    ) async throws -> Progress {
        let clock = ContinuousClock.now
        let versioning = try await client.getBucketVersioning(bucket: bucket)
        guard versioning != .neverEnabled else { throw BackfillError.notVersioned(bucket: bucket) }
        // Suspended buckets are collected from listings, whose snapshot is keyed differently.
        let remember = versioning == .enabled
        let (source, bucket, prefix) = (self.source, self.bucket, self.prefix)
        let checkpoint = try await store.checkpoint(of: source)
        var resumeAfter: String?
        if let checkpoint, !checkpoint.completed, !fromStart {
            resumeAfter = checkpoint.keyMarker
        } else {
            try await store.start(source, bucket: bucket, prefix: prefix)
        }
        var state = Progress(source: source, resumedAfter: resumeAfter)
        var planner = S3BackfillPlanner(source: source, bucket: bucket, layout: layout, resumeAfter: resumeAfter, remembersVersions: remember)
        let reader = S3Reader(client: client, bucket: bucket, prefix: prefix, concurrency: concurrency)

        var index = 0
        var page = try await client.listObjectVersions(bucket: bucket, prefix: prefix, keyMarker: resumeAfter, maxKeys: pageSize)
        while true {
            // The next page is listed while this one's versions are read and committed.
            let more = page.isTruncated && page.nextKeyMarker != nil
            let (keyMarker, versionMarker) = (page.nextKeyMarker, page.nextVersionIdMarker)
            let pageSize = self.pageSize
            let next: Task<S3VersionListingPage, any Error>? =
                more
                ? Task {
                    try await client.listObjectVersions(
                        bucket: bucket, prefix: prefix, keyMarker: keyMarker,
                        versionIdMarker: versionMarker, maxKeys: pageSize)
                } : nil

            let listed = S3Reader.entries(of: page, startingAt: index)
            index += listed.count
            let entries = planner.newEntries(listed)
            let fetched: [String: S3Fetched]
            do {
                fetched = try await reader.fetch(planner.reads(entries))
            } catch {
                next?.cancel()
                throw error
            }
            state.listed += entries.count
            state.read += fetched.count
            if let batch = planner.add(entries, fetched: fetched, morePages: more, observedAt: now()) {
                let outcome = try await store.commit(
                    source: source, events: batch.events, upserts: batch.upserts,
                    keyMarker: batch.keyMarker, entries: batch.entries)
                state.appended += outcome.appended
                state.duplicates += outcome.duplicates
            }
            state.seconds = Self.seconds(since: clock)
            guard let next else { break }
            progress(state)
            page = try await next.value
        }
        // The whole history was listed: the collector's first cycle continues from here, so what
        // is pruned or left unread after it is a coverage gap, not silently missing.
        try await store.complete(source, coverageEnds: remember ? now() : nil)
        state.finished = true
        state.seconds = Self.seconds(since: clock)
        progress(state)
        return state
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Why a backfill cannot run.
public enum BackfillError: Error, CustomStringConvertible {
    /// The bucket never had versioning: there is no history to import.
    case notVersioned(bucket: String)

    public var description: String {
        switch self {
        case .notVersioned(let bucket):
            return
                "bucket \(bucket) has never had versioning enabled, so S3 kept no history to import; `locktrail collect --s3-bucket \(bucket)` records from now on"
        }
    }
}
