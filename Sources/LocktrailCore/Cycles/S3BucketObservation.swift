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

    /// The listing.
    public var listing: Listing
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
