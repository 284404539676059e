/// Where `locktrail unlock` looks for the lock, from where locktrail saw it and the options.
public enum UnlockLookup: Hashable, Sendable {
    /// Read the DynamoDB item in `table` (when known) and the S3 lock file (when `lockfile`).
    case check(table: String?, lockfile: Bool)
    /// The lock was seen on another state: refused whatever the options, since removing "it"
    /// from this state would remove someone else's lock, or nothing. Nothing is recorded.
    case seenOnAnotherState(String)
    /// Nothing says where the lock is: the user must name the table or the lock file.
    case unknown
}
