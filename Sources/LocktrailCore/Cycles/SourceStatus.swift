/// What a source looked like at its last successful cycle, as the store records it.
public enum SourceStatus: String, Hashable, Sendable {
    /// Registered, never observed.
    case new
    /// A DynamoDB lock table, scanned.
    case ok
    /// A DynamoDB lock table that does not exist (one `source.table_missing`, then quiet).
    case tableMissing = "table_missing"
    /// An S3 bucket with versioning enabled, followed through its version history.
    case versioned
    /// An S3 bucket without (or with suspended) versioning, followed through listings.
    case listing
}
