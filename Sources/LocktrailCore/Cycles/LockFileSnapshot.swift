/// What a cycle remembers of an S3 lock file (or lock-file version): the ETag a change is
/// detected on, and the body, so the release of a lock that is gone can still name it.
public struct LockFileSnapshot: Hashable, Sendable {
    /// The ETag without quotes.
    public var etag: String
    /// The body as text; empty for a body past the lock-record limit, which is never a record.
    public var text: String

    /// The snapshot of a lock file read as `body`.
    public init(etag: String, body: [UInt8]) {
        self.etag = etag
        // Bodies past the record limit are never records; the ETag alone is enough to remember them.
        self.text = body.count <= LockRecord.maximumSize ? String(decoding: body, as: UTF8.self).storable : ""
    }

    /// A snapshot as it was stored: the ETag and the text kept of the body.
    public init(etag: String, text: String) {
        self.etag = etag
        self.text = text
    }

    /// The body's bytes, as kept.
    public var body: [UInt8] { Array(text.utf8) }
}
