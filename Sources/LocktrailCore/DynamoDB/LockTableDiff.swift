import LocktrailCrypto

/// One item of a DynamoDB lock table as the collector read it, with no AWS types. Kept small:
/// a table holds one of these per state, and most never change.
public struct LockTableItem: Hashable, Sendable {
    /// The `LockID` attribute, if it is a string.
    public var lockID: String?
    /// The `Info` attribute, if it is a string.
    public var info: String?
    /// The `Digest` attribute, if it is a string.
    public var digest: String?
    /// Every other attribute (and any of the three above that was not a string), in DynamoDB's
    /// wire shape (`{"N": "1"}`); usually empty.
    public var otherAttributes: [String: JSONValue]

    /// An item.
    public init(lockID: String?, info: String?, digest: String?, otherAttributes: [String: JSONValue] = [:]) {
        self.lockID = lockID
        self.info = info
        self.digest = digest
        self.otherAttributes = otherAttributes
    }

    /// The whole item in DynamoDB's wire shape, kept as the raw observation.
    public var raw: JSONValue {
        var o = otherAttributes
        if let lockID { o["LockID"] = ["S": .string(lockID)] }
        if let info { o["Info"] = ["S": .string(info)] }
        if let digest { o["Digest"] = ["S": .string(digest)] }
        return .object(o)
    }
}

/// The timing of one scan and the one before it: a change between them happened after the
/// previous scan started and no later than this one completed.
public struct ScanWindow: Hashable, Sendable {
    /// When the previous successful scan started; nil on the first scan ever.
    public var previousStarted: Timestamp?
    /// When this scan started.
    public var started: Timestamp
    /// When this scan completed.
    public var completed: Timestamp

    /// A window.
    public init(previousStarted: Timestamp?, started: Timestamp, completed: Timestamp) {
        self.previousStarted = previousStarted
        self.started = started
        self.completed = completed
    }

    /// The bounds of a change seen by this scan.
    public var bounds: EventTime { .between(after: previousStarted, notAfter: completed) }
}

/// The result of diffing a scan against the stored snapshot: the events to append and the
/// snapshot changes to persist in the same transaction.
public struct SnapshotDiff: Sendable {
    /// Events, in a deterministic order (by item key, releases before acquires).
    public var events: [Event] = []
    /// Entries new or changed.
    public var upserts: [(key: String, entry: SnapshotEntry)] = []
    /// Keys gone from the table.
    public var deletions: [String] = []

    /// An empty diff.
    public init() {}
}

/// The DynamoDB lock-table rules (terraform-locks.md §3, design.md "Flow"): a lock item appears →
/// `lock.acquired`; disappears → `lock.released` within the scan bounds; same `LockID` with a new
/// ID → release and acquire; a `-md5` digest new or changed → `state.written`; anything else is
/// kept raw with the reason, once.
public struct LockTableDiff: Sendable {
    /// The source name, e.g. `dynamodb:us-east-1/terraform-locks`.
    public var source: String
    /// The table name.
    public var table: String
    /// How workspaces are laid out in the buckets this table locks.
    public var layout: WorkspaceLayout

    /// A differ for one table.
    public init(source: String, table: String, layout: WorkspaceLayout = .standard) {
        self.source = source
        self.table = table
        self.layout = layout
    }

    /// Diffs `items` (this scan) against `previous` (the stored snapshot).
    public func diff(previous: [String: SnapshotEntry], items: [LockTableItem], window: ScanWindow) -> SnapshotDiff {
        let current = index(items)
        return diff(previous: previous, current: current, keys: allKeys(previous: previous, current: current), window: window)
    }

    /// This scan's items by item key (the `LockID`, or a hash for an item without one).
    public func index(_ items: [LockTableItem]) -> [String: LockTableItem] {
        var current: [String: LockTableItem] = [:]
        current.reserveCapacity(items.count)
        for item in items {
            current[item.lockID ?? ("#item:" + Hex.encode(Digest.sha256(CanonicalJSON.encode(item.raw))))] = item
        }
        return current
    }

    /// Every key of either side, sorted: diffing them in slices of this order gives the same
    /// events as one diff of everything, so a large table can be committed in chunks.
    public func allKeys(previous: [String: SnapshotEntry], current: [String: LockTableItem]) -> [String] {
        Set(previous.keys).union(current.keys).sorted()
    }

    /// Diffs only `keys` of the two sides.
    public func diff<Keys: Collection<String>>(
        previous: [String: SnapshotEntry], current: [String: LockTableItem],
        keys: Keys, window: ScanWindow
    ) -> SnapshotDiff {
        var diff = SnapshotDiff()
        for key in keys {
            let old = previous[key]
            let item = current[key]
            let new = item.map { entry(for: $0) }
            if let old, let new, old == new { continue }
            if let old {
                diff.events += disappeared(key: key, entry: old, replacedBy: new, window: window)
            }
            if let item, let new {
                diff.events += appeared(key: key, entry: new, item: item, previous: old, window: window)
                diff.upserts.append((key, new))
            } else {
                diff.deletions.append(key)
            }
        }
        return diff
    }

    /// What the snapshot keeps of `item`.
    public func entry(for item: LockTableItem) -> SnapshotEntry {
        if let id = item.lockID, case .digest? = DynamoDBLockKey(lockID: id, layout: layout), item.info == nil {
            return .digest(item.digest ?? "")
        }
        if let id = item.lockID, case .lock? = DynamoDBLockKey(lockID: id, layout: layout), let info = item.info {
            return .lock(info: info)
        }
        return .other(fingerprint: Hex.encode(Digest.sha256(CanonicalJSON.encode(item.raw))))
    }

    private func base<D: EventDetails>(
        _ kind: EventKind, key: String, time: EventTime, window: ScanWindow, state: StateIdentity?,
        lockID: String?, details: D, raw: JSONValue?
    ) -> Event {
        Event(
            key: key, kind: kind, source: source, mechanism: .dynamodb, time: time, observedAt: window.completed,
            lockID: lockID, state: state?.lockPath, workspace: state?.workspace, details: details, raw: raw)
    }

    private func keyPrefix(_ what: String) -> String { "ddb|\(source)|\(what)|" }

    private func appeared(key: String, entry: SnapshotEntry, item: LockTableItem, previous: SnapshotEntry?, window: ScanWindow) -> [Event] {
        let state = DynamoDBLockKey(lockID: key, layout: layout)?.state
        let context = ObservationContext.dynamoDBScan(table: table, window: window)
        switch entry {
        case .lock(let info):
            switch LockRecordParse.parse(Array(info.utf8)) {
            case .record(let record):
                var details = LockChangeDetails(
                    context: context, record: record, timeBasis: .scan,
                    pathMismatch: record.path.map { $0 != key } ?? false)
                var time = window.bounds
                // Created is written when terraform starts the command: the best time there is,
                // unless it falls outside what the scans prove (lock-timeout retries reuse it).
                if let created = record.created, created <= window.completed,
                    window.previousStarted.map({ created > $0 }) ?? true
                {
                    time = .exact(created)
                    details.timeBasis = .created
                }
                return [
                    base(
                        .lockAcquired, key: keyPrefix("acquired") + key + "|" + record.id, time: time, window: window,
                        state: state, lockID: record.id, details: details, raw: item.raw)
                ]
            case .unparseable(let reason):
                return [
                    base(
                        .observationUnparsed, key: keyPrefix("unparsed") + key + "|" + Hex.encode(Digest.sha256(info)),
                        time: window.bounds, window: window, state: state, lockID: nil,
                        details: UnparsedDetails(
                            context: context, reason: "lock item whose Info is not a lock record: " + reason,
                            itemKind: .lock),
                        raw: item.raw)
                ]
            }
        case .digest(let digest):
            guard !digest.isEmpty else { return [] }  // a -md5 item without Digest (terragrunt migrate) writes nothing
            var details = StateWriteDetails(context: context, digest: digest, baseline: window.previousStarted == nil)
            if case .digest(let old)? = previous, !old.isEmpty { details.previousDigest = old }
            return [
                base(
                    .stateWritten, key: keyPrefix("written") + (state?.lockPath ?? key) + "|" + digest + "|" + String(window.completed.microseconds),
                    time: window.bounds, window: window, state: state, lockID: nil, details: details, raw: item.raw)
            ]
        case .lockFile, .state, .deleteMarker:
            return []  // S3 kinds never come from a lock table
        case .other(let fingerprint):
            let reason: String
            if item.lockID == nil {
                reason = "item has no string LockID attribute"
            } else if DynamoDBLockKey(lockID: key, layout: layout) == nil {
                reason = "LockID is not <bucket>/<key>"
            } else {
                reason = "item is neither a lock (no Info) nor a -md5 digest item"
            }
            return [
                base(
                    .observationUnparsed, key: keyPrefix("unparsed") + key + "|" + fingerprint, time: window.bounds, window: window,
                    state: state, lockID: nil, details: UnparsedDetails(context: context, reason: reason, itemKind: .other),
                    raw: item.raw)
            ]
        }
    }

    private func disappeared(key: String, entry: SnapshotEntry, replacedBy: SnapshotEntry?, window: ScanWindow) -> [Event] {
        let state = DynamoDBLockKey(lockID: key, layout: layout)?.state
        let context = ObservationContext.dynamoDBScan(table: table, window: window)
        switch entry {
        case .lock(let info):
            // A lock stays the same lock only while its Info is byte-identical.
            let record = LockRecordParse.parse(Array(info.utf8)).record
            var details = LockChangeDetails(context: context, record: record, reason: replacedBy?.kind == .lock ? .replaced : .disappeared)
            if case .lock(let newInfo)? = replacedBy, let newRecord = LockRecordParse.parse(Array(newInfo.utf8)).record {
                details.replacedBy = newRecord.id
            }
            let id = record?.id ?? Hex.encode(Digest.sha256(info))
            return [
                base(
                    .lockReleased, key: keyPrefix("released") + key + "|" + id, time: window.bounds, window: window,
                    state: state, lockID: record?.id, details: details, raw: nil)
            ]
        case .digest(let digest):
            guard replacedBy == nil else { return [] }  // a changed digest is a write, reported by appeared()
            return [
                base(
                    .stateDigestRemoved, key: keyPrefix("digest_removed") + key + "|" + String(window.completed.microseconds),
                    time: window.bounds, window: window, state: state, lockID: nil,
                    details: DigestRemovedDetails(context: context, previousDigest: digest), raw: nil)
            ]
        case .other, .lockFile, .state, .deleteMarker:
            return []
        }
    }
}
