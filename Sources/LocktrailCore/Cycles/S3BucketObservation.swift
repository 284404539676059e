/// What one cycle of an S3 bucket saw, without AWS types, and when: a version listing (a
/// versioned bucket) or an object listing (any other), and the reads the planner asked for.
public struct S3BucketObservation: Sendable {
    /// The listing.
    public enum Listing: Sendable {
        /// Every version and delete marker under the prefix (ListObjectVersions).
        case versions([S3HistoryEntry])
        /// The current objects under the prefix (ListObjectsV2).
        case objects([S3ListedObject])

        /// The mode a bucket listed this way is followed in.
        public var mode: SourceStatus {
            switch self {
            case .versions: .versioned
            case .objects: .listing
            }
        }
    }

    /// Which keys the listing covers.
    public enum Scope: Hashable, Sendable {
        /// Every key under the prefix: the whole version history, or a full object listing.
        case everything
        /// Only these keys, each with its versions newest first down to (and including) the first
        /// one already known: a push cycle, or a versioned bucket's frequent cycle.
        case keys(Set<String>)
    }

    /// The listing.
    public var listing: Listing
    /// Which keys it covers.
    public var scope: Scope = .everything
    /// The event notifications this cycle acts on (push): who created or removed what.
    public var notices: [S3Notice] = []
    /// Whether this is a reconciliation of a push source: what it finds, push missed.
    public var repairsPush = false
    /// The results of `S3CyclePlanner.reads`, by item key.
    public var fetched: [String: S3Fetched]
    /// When the cycle started observing (before the listing).
    public var started: Timestamp
    /// When the last read completed.
    public var completed: Timestamp

    /// An observation.
    public init(listing: Listing, fetched: [String: S3Fetched], started: Timestamp, completed: Timestamp) {
        self.listing = listing
        self.fetched = fetched
        self.started = started
        self.completed = completed
    }
}
