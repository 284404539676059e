/// One entry of a bucket's version history (ListObjectVersions) without AWS types: an object
/// version or a delete marker.
public struct S3HistoryEntry: Hashable, Sendable {
    /// The object key.
    public var key: String
    /// The version id (`null` for objects written before versioning was enabled).
    public var versionID: String
    /// Whether this is a delete marker rather than a version with content.
    public var isDeleteMarker: Bool
    /// When the version was written or the delete happened (S3 keeps whole seconds).
    public var lastModified: Timestamp
    /// The ETag without quotes; empty for delete markers.
    public var etag: String
    /// The size in bytes; 0 for delete markers.
    public var size: Int64
    /// The position in the listing, counted over the whole listing: among entries of one kind
    /// (versions, or delete markers) on one key, a lower position is newer.
    public var listingIndex: Int

    /// An entry.
    public init(
        key: String, versionID: String, isDeleteMarker: Bool, lastModified: Timestamp, etag: String = "",
        size: Int64 = 0, listingIndex: Int
    ) {
        self.key = key
        self.versionID = versionID
        self.isDeleteMarker = isDeleteMarker
        self.lastModified = lastModified
        self.etag = etag
        self.size = size
        self.listingIndex = listingIndex
    }

    /// The snapshot key of this version: `<key>#<versionId>` (version ids never contain `#`).
    public var itemKey: String { key + "#" + versionID }

    /// Whether the key is a native lock file (`*.tflock`).
    public var isLockFile: Bool { key.hasSuffix(".tflock") }

    /// The listing entry as the raw observation of an event.
    public var raw: JSONValue {
        var o: [String: JSONValue] = [
            "key": .string(key), "version_id": .string(versionID), "last_modified": .string(lastModified.rfc3339),
        ]
        if isDeleteMarker {
            o["delete_marker"] = true
        } else {
            o["etag"] = .string(etag)
            o["size"] = .int(size)
        }
        return .object(o)
    }
}
