/// One object of a ListObjectsV2 listing without AWS types: what a polling cycle compares.
public struct S3ListedObject: Hashable, Sendable {
    /// The object key.
    public var key: String
    /// The ETag without quotes.
    public var etag: String
    /// The size in bytes.
    public var size: Int64
    /// When the current version was written (S3 keeps whole seconds).
    public var lastModified: Timestamp

    /// An object.
    public init(key: String, etag: String, size: Int64, lastModified: Timestamp) {
        self.key = key
        self.etag = etag
        self.size = size
        self.lastModified = lastModified
    }

    /// Whether the key is a native lock file (`*.tflock`).
    public var isLockFile: Bool { key.hasSuffix(".tflock") }
}
