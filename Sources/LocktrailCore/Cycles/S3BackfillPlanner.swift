/// The rules of `locktrail backfill`, page by page: which entries of a version-listing page are
/// new (after a resumed backfill's checkpoint key), and which keys' histories are complete and
/// can be committed now.
///
/// ListObjectVersions lists keys in order, so the history of every key before the last key of a
/// page is complete; the last key's entries wait for the next page (a release needs the version
/// before it, which S3 lists after it). Each batch names the last key it completes: the
/// checkpoint a restart continues after. A state machine in the manner of postgres-nio's: the
/// adapter feeds pages and commits the batches it is handed.
public struct S3BackfillPlanner: Sendable {
    /// One commit of the backfill: events, the versions to remember, and the checkpoint.
    public struct Batch: Sendable {
        /// Events of the keys completed.
        public var events: [Event]
        /// Snapshot entries of the versions read (empty when not remembered).
        public var upserts: [(key: String, entry: SnapshotEntry)]
        /// The last key whose whole history the batch holds; nil when it completes none.
        public var keyMarker: String?
        /// Versions and delete markers the batch imports.
        public var entries: Int
    }

    private let history: VersionHistory
    private let resumeAfter: String?
    private let remembersVersions: Bool
    private var open: [S3HistoryEntry] = []  // the last key's entries, waiting for the rest of its history
    private var openFetched: [String: S3Fetched] = [:]

    /// A backfill of `source` (bucket and layout as the collector's), continuing after the key
    /// `resumeAfter` when given. `remembersVersions`: whether the versions read are stored as the
    /// source's snapshot (only with versioning enabled; a suspended bucket is collected from
    /// listings, whose snapshot is keyed differently).
    public init(source: String, bucket: String, layout: WorkspaceLayout = .standard, resumeAfter: String?, remembersVersions: Bool) {
        self.history = VersionHistory(source: source, bucket: bucket, layout: layout)
        self.resumeAfter = resumeAfter
        self.remembersVersions = remembersVersions
    }

    /// The entries of a page that are not yet imported: with a key marker alone S3 starts after
    /// that key, but moto repeats the rest of its versions, which were already committed.
    public func newEntries(_ page: [S3HistoryEntry]) -> [S3HistoryEntry] {
        guard let resumeAfter else { return page }
        return page.filter { $0.key > resumeAfter }
    }

    /// The versions of `entries` to read before `add`.
    public func reads(_ entries: [S3HistoryEntry]) -> [S3Read] { history.reads(entries: entries, known: [:]) }

    /// Takes a page's new entries and what their reads returned; returns the batch to commit
    /// now, or nil when the page completes no key and more pages follow.
    public mutating func add(_ entries: [S3HistoryEntry], fetched: [String: S3Fetched], morePages: Bool, observedAt: Timestamp) -> Batch? {
        openFetched.merge(fetched) { a, _ in a }
        let all = open + entries
        // Keys come in order, so the largest key on a truncated page may continue on the next.
        let lastKey = morePages ? all.map(\.key).max() : nil
        let ready = all.filter { $0.key != lastKey }
        open = all.filter { $0.key == lastKey }
        guard !ready.isEmpty || !morePages else { return nil }
        let diff = history.apply(entries: ready, known: [:], fetched: openFetched, observedAt: observedAt)
        let waiting = Set(open.map(\.itemKey))
        openFetched = openFetched.filter { waiting.contains($0.key) }
        return Batch(
            events: diff.events, upserts: remembersVersions ? diff.upserts : [], keyMarker: ready.map(\.key).max(),
            entries: ready.count)
    }
}
