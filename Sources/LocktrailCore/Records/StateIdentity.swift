/// Which state a lock, digest or lock file concerns: bucket, state object key and workspace.
///
/// The lock path `<bucket>/<state object key>` is a state's identity everywhere in locktrail; it
/// is also the `Path` inside every lock record and the DynamoDB `LockID` of its lock item.
public struct StateIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The S3 bucket.
    public var bucket: String
    /// The state object key (for a non-default workspace it includes the workspace prefix).
    public var key: String
    /// The workspace; nil when the layout cannot tell (an empty prefix without the base key).
    public var workspace: String?
    /// The backend's `key` setting the state key was derived from, when known.
    public var baseKey: String?

    /// `<bucket>/<key>`.
    public var lockPath: String { bucket + "/" + key }
    /// The DynamoDB `LockID` of the digest item for this state.
    public var digestLockID: String { lockPath + "-md5" }
    /// The key of the native S3 lock file for this state.
    public var lockFileKey: String { key + ".tflock" }

    public var description: String { lockPath }

    /// The identity of the state stored at `key` in `bucket`, its workspace read off with `layout`.
    public init(bucket: String, key: String, layout: WorkspaceLayout = .standard) {
        self.bucket = bucket
        self.key = key
        (self.workspace, self.baseKey) = layout.split(key: key)
    }

    /// The state of `workspace` for backend `bucket`/`baseKey`, as Terraform names it.
    public init(bucket: String, baseKey: String, workspace: String, layout: WorkspaceLayout = .standard) {
        self.bucket = bucket
        self.baseKey = baseKey
        self.workspace = workspace
        self.key = layout.stateKey(baseKey: baseKey, workspace: workspace)
    }

    /// The state named by a lock path `<bucket>/<key>`; nil if it has no `/` or an empty part.
    public init?(lockPath: String, layout: WorkspaceLayout = .standard) {
        guard let slash = lockPath.firstIndex(of: "/") else { return nil }
        let bucket = String(lockPath[..<slash])
        let key = String(lockPath[lockPath.index(after: slash)...])
        guard !bucket.isEmpty, !key.isEmpty else { return nil }
        self.init(bucket: bucket, key: key, layout: layout)
    }

    /// The state a native lock file key (`<state key>.tflock`) belongs to; nil if it is not one.
    public init?(bucket: String, lockFileKey: String, layout: WorkspaceLayout = .standard) {
        guard lockFileKey.hasSuffix(".tflock"), lockFileKey.count > ".tflock".count else { return nil }
        self.init(bucket: bucket, key: String(lockFileKey.dropLast(".tflock".count)), layout: layout)
    }
}

/// What a DynamoDB lock-table `LockID` names.
public enum DynamoDBLockKey: Hashable, Sendable {
    /// A lock item: `LockID` is the lock path.
    case lock(StateIdentity)
    /// A digest item: `LockID` is the lock path followed by `-md5`.
    case digest(StateIdentity)

    /// Reads a `LockID`; nil if it is not `<bucket>/<key>` with or without `-md5`.
    public init?(lockID: String, layout: WorkspaceLayout = .standard) {
        if lockID.hasSuffix("-md5"), let state = StateIdentity(lockPath: String(lockID.dropLast(4)), layout: layout) {
            self = .digest(state)
        } else if let state = StateIdentity(lockPath: lockID, layout: layout) {
            self = .lock(state)
        } else {
            return nil
        }
    }

    /// The state either kind of item concerns.
    public var state: StateIdentity {
        switch self {
        case .lock(let s), .digest(let s): return s
        }
    }
}

/// How workspaces are laid out in a bucket: the backend's `workspace_key_prefix` (default
/// `env:`), and optionally the backend's `key`, which an empty prefix needs to be unambiguous.
public struct WorkspaceLayout: Hashable, Sendable {
    /// `workspace_key_prefix`; `""` means `<workspace>/<key>`.
    public var prefix: String
    /// The backend `key` setting, when known.
    public var baseKey: String?

    /// Terraform's default: prefix `env:`.
    public static let standard = WorkspaceLayout(prefix: "env:")

    /// A layout with `prefix` and, optionally, the backend key.
    public init(prefix: String, baseKey: String? = nil) {
        self.prefix = prefix
        self.baseKey = baseKey
    }

    /// The state object key of `workspace` (Terraform's `path` in backend_state.go).
    public func stateKey(baseKey: String, workspace: String) -> String {
        if workspace == "default" { return baseKey }
        return prefix.isEmpty ? workspace + "/" + baseKey : prefix + "/" + workspace + "/" + baseKey
    }

    /// The workspace and base key of a state object key, as far as this layout can tell.
    public func split(key: String) -> (workspace: String?, baseKey: String?) {
        if let baseKey {
            if key == baseKey { return ("default", baseKey) }
            let leading = prefix.isEmpty ? "" : prefix + "/"
            guard key.hasPrefix(leading), key.hasSuffix("/" + baseKey) else { return (nil, nil) }
            let middle = key.dropFirst(leading.count).dropLast(baseKey.count + 1)
            guard !middle.isEmpty, !middle.contains("/") else { return (nil, nil) }
            return (String(middle), baseKey)
        }
        if prefix.isEmpty {
            // `<workspace>/<key>` and a default-workspace key with a folder look alike.
            return key.contains("/") ? (nil, nil) : ("default", key)
        }
        let leading = prefix + "/"
        guard key.hasPrefix(leading) else { return ("default", key) }
        let rest = key.dropFirst(leading.count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else { return (nil, nil) }
        let base = rest[rest.index(after: slash)...]
        guard !base.isEmpty else { return (nil, nil) }
        return (String(rest[..<slash]), String(base))
    }
}
