/// What a polling source remembers about one item between cycles (persisted with the events).
/// Each case carries exactly what a change is detected on; the store encodes it for its table
/// (`SnapshotEntry+Storage.swift` in LocktrailStore) and decodes it back on load.
public enum SnapshotEntry: Hashable, Sendable {
    /// A DynamoDB lock item (`LockID` = lock path) with its `Info` text.
    case lock(info: String)
    /// A DynamoDB digest item (`LockID` = lock path + `-md5`) with its `Digest` ("" when absent).
    case digest(String)
    /// Anything else, seen once and reported once: for DynamoDB the SHA-256 of the item's
    /// canonical JSON, for S3 the ETag of an object that is neither lock file nor state.
    case other(fingerprint: String)
    /// An S3 lock file (version): its ETag and its body.
    case lockFile(LockFileSnapshot)
    /// An S3 state object (version) with its ETag.
    case state(etag: String)
    /// An S3 delete marker.
    case deleteMarker

    /// The name of each case, as the store records it.
    public enum Kind: String, Hashable, Sendable {
        /// `lock(info:)`.
        case lock
        /// `digest(_:)`.
        case digest
        /// `other(fingerprint:)`.
        case other
        /// `lockFile(_:)`.
        case lockFile = "lock_file"
        /// `state(etag:)`.
        case state
        /// `deleteMarker`.
        case deleteMarker = "delete_marker"
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .lock: .lock
        case .digest: .digest
        case .other: .other
        case .lockFile: .lockFile
        case .state: .state
        case .deleteMarker: .deleteMarker
        }
    }

    /// The lock file, when this is one.
    public var lockFile: LockFileSnapshot? {
        if case .lockFile(let file) = self { return file }
        return nil
    }
}
