/// The outcome of one `S3Read`.
public enum S3Fetched: Hashable, Sendable {
    /// The bytes read, with the version id S3 reported (nil on an unversioned bucket).
    case bytes([UInt8], versionID: String?)
    /// The object or version was gone by the time it was read (deleted, pruned); the reason says how.
    case unavailable(reason: String)
}
