/// The S3 listing rules for a bucket without versioning (design.md "Flow", terraform-locks.md §4,
/// §7): the snapshot maps each object key to its ETag. A new key or a changed ETag is read — a
/// lock file whole, any other object only its first KiB — and then:
/// a lock file appears → `lock.acquired` at its `LastModified`; disappears or is replaced →
/// `lock.released` within the scan bounds; a state object new or changed → `state.written` with
/// serial, lineage and terraform_version from its head; anything else is remembered as `other` so
/// it is not read again until it changes. Unchanged objects are never read.
public struct LockFileDiff: Sendable {
    /// The source name, e.g. `s3:my-bucket/prefix`.
    public var source: String
    /// The bucket.
    public var bucket: String
    /// How workspaces are laid out in the bucket.
    public var layout: WorkspaceLayout

    /// A differ for one bucket (and prefix).
    public init(source: String, bucket: String, layout: WorkspaceLayout = .standard) {
        self.source = source
        self.bucket = bucket
        self.layout = layout
    }

    private var builder: S3EventBuilder { S3EventBuilder(source: source, bucket: bucket, layout: layout) }

    /// The objects this listing makes it necessary to read: new keys and changed ETags.
    public func reads(previous: [String: SnapshotEntry], listing: [S3ListedObject]) -> [S3Read] {
        listing.filter { object in
            previous[object.key].map { S3EventBuilder.etag(of: $0) != object.etag } ?? true
        }.map { S3Read.of(key: $0.key, versionID: nil, itemKey: $0.key) }
    }

    /// Diffs `listing` (this scan) against `previous`, with `fetched` holding the results of `reads`.
    /// An object whose read found it gone is left out, as if the listing had not shown it.
    public func diff(
        previous: [String: SnapshotEntry], listing: [S3ListedObject], fetched: [String: S3Fetched],
        window: ScanWindow
    ) -> SnapshotDiff {
        var current: [String: S3ListedObject] = [:]
        for object in listing { current[object.key] = object }
        var diff = SnapshotDiff()
        for key in Set(previous.keys).union(current.keys).sorted() {
            let old = previous[key]
            var new = current[key]
            if let old, let object = new, S3EventBuilder.etag(of: old) == object.etag { continue }
            var body: [UInt8] = []
            var versionID: String?
            if new != nil {
                switch fetched[key] {
                case .bytes(let bytes, let version)?:
                    body = bytes
                    versionID = version
                case .unavailable?, nil:
                    new = nil  // deleted between listing and read: the next scan sees it gone
                }
            }
            if let file = old?.lockFile {
                let (etag, previousBody) = (file.etag, file.body)
                let replaced = new != nil && key.hasSuffix(".tflock")
                let id = LockRecordParse.parse(previousBody).record?.id ?? S3EventBuilder.digest(previousBody)
                var details = LockChangeDetails(
                    context: builder.context(key: key, versionID: nil, etag: etag, window: window),
                    record: nil, reason: replaced ? .replaced : .disappeared)
                if replaced, let newID = LockRecordParse.parse(body).record?.id { details.replacedBy = newID }
                diff.events.append(
                    builder.lockFileReleased(
                        eventKey: keyPrefix("released") + key + "|" + id, key: key, previousBody: previousBody, details: details,
                        time: window.bounds, observedAt: window.completed, raw: nil))
            }
            guard let object = new else {
                if old != nil { diff.deletions.append(key) }
                continue
            }
            let (events, entry) = appeared(object, body: body, versionID: versionID, previous: old, window: window)
            diff.events += events
            diff.upserts.append((key, entry))
        }
        return diff
    }

    private func keyPrefix(_ what: String) -> String { "s3|\(source)|\(what)|" }

    private func appeared(
        _ object: S3ListedObject, body: [UInt8], versionID: String?, previous: SnapshotEntry?,
        window: ScanWindow
    ) -> ([Event], SnapshotEntry) {
        let stamp = "|" + object.etag + "|" + String(object.lastModified.microseconds)
        if object.isLockFile {
            // The object's LastModified is S3's own record of the PutObject: the acquire time.
            let id = LockRecordParse.parse(body).record?.id ?? S3EventBuilder.digest(body)
            let event = builder.lockFileAppeared(
                eventKey: { what in keyPrefix(what) + object.key + "|" + id + (what == "acquired" ? "" : stamp) },
                key: object.key, versionID: versionID, etag: object.etag, body: body, time: .exact(object.lastModified),
                observedAt: window.completed, window: window)
            return ([event], .lockFile(LockFileSnapshot(etag: object.etag, body: body)))
        }
        let head = StateHead.read(body, key: object.key)
        guard head != .other else { return ([], .other(fingerprint: object.etag)) }
        var details = StateWriteDetails(
            context: builder.context(key: object.key, versionID: versionID, etag: object.etag, window: window),
            baseline: window.previousStarted == nil, size: object.size, head: head)
        if case .state(let etag)? = previous { details.previousETag = etag }
        let event = builder.stateWritten(
            eventKey: keyPrefix("written") + object.key + stamp, key: object.key, details: details,
            time: .exact(object.lastModified), observedAt: window.completed,
            raw: [
                "key": .string(object.key), "etag": .string(object.etag), "size": .int(object.size),
                "last_modified": .string(object.lastModified.rfc3339),
            ])
        return ([event], .state(etag: object.etag))
    }
}
