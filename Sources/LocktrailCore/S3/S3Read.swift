/// A GET a cycle must make before the pure rules can decide: a lock-file body (whole) or the
/// head of a possible state (a ranged read, never the whole state).
public struct S3Read: Hashable, Sendable {
    /// Where the result goes in the `fetched` map: the object key, or `<key>#<versionId>`.
    public var itemKey: String
    /// The object key.
    public var key: String
    /// The version to read; nil for the current one.
    public var versionID: String?
    /// The bytes to read; nil for the whole object.
    public var range: ClosedRange<Int>?

    /// A read.
    public init(itemKey: String, key: String, versionID: String?, range: ClosedRange<Int>?) {
        self.itemKey = itemKey
        self.key = key
        self.versionID = versionID
        self.range = range
    }

    /// The read for an object that may be a lock file (whole body) or a state (its head).
    static func of(key: String, versionID: String?, itemKey: String) -> S3Read {
        S3Read(
            itemKey: itemKey, key: key, versionID: versionID,
            range: key.hasSuffix(".tflock") ? nil : 0...(StateHead.readLength - 1))
    }
}
