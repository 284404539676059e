/// The S3 version-history rules (design.md "Flow", terraform-locks.md §4): on a versioned bucket
/// every lock-file version is an acquire at its exact `LastModified`, with the record read by
/// version id; every delete marker on a lock file is the release, at its exact `LastModified`, of
/// the lock of the version immediately before it; every version of a state object is a write.
///
/// The polling collector and `backfill` both use these rules, and event keys name only bucket,
/// key and version id (`s3v|<bucket>|<key>|<versionId>|<what>`), never the source: re-importing a
/// version, from either, or through two overlapping prefixes, is a no-op.
public struct VersionHistory: Sendable {
    /// The source name, e.g. `s3:my-bucket/prefix`.
    public var source: String
    /// The bucket.
    public var bucket: String
    /// How workspaces are laid out in the bucket.
    public var layout: WorkspaceLayout

    /// Rules for one bucket (and prefix).
    public init(source: String, bucket: String, layout: WorkspaceLayout = .standard) {
        self.source = source
        self.bucket = bucket
        self.layout = layout
    }

    private var builder: S3EventBuilder { S3EventBuilder(source: source, bucket: bucket, layout: layout) }

    /// The versions to read before `apply`: every version (not delete marker) not yet `known` — a
    /// lock file whole, anything else its first KiB.
    public func reads(entries: [S3HistoryEntry], known: [String: SnapshotEntry]) -> [S3Read] {
        entries.filter { !$0.isDeleteMarker && known[$0.itemKey] == nil }
            .map { S3Read.of(key: $0.key, versionID: $0.versionID, itemKey: $0.itemKey) }
    }

    /// Events for the entries not in `known`, and their snapshot entries. `entries` must hold the
    /// whole remaining history of every key it mentions (a release needs the version before it);
    /// `known` supplies the records of versions read in earlier cycles.
    public func apply(
        entries: [S3HistoryEntry], known: [String: SnapshotEntry], fetched: [String: S3Fetched],
        observedAt: Timestamp
    ) -> SnapshotDiff {
        var byKey: [String: [S3HistoryEntry]] = [:]
        for entry in entries { byKey[entry.key, default: []].append(entry) }
        var diff = SnapshotDiff()
        for key in byKey.keys.sorted() {
            var previous: (entry: S3HistoryEntry, snapshot: SnapshotEntry)?
            for entry in Self.chronological(byKey[key]!) {
                let snapshot: SnapshotEntry
                if let seen = known[entry.itemKey] {
                    snapshot = seen
                } else {
                    let (events, made) = appeared(entry, previous: previous, fetched: fetched[entry.itemKey], observedAt: observedAt)
                    diff.events += events
                    diff.upserts.append((entry.itemKey, made))
                    snapshot = made
                }
                previous = (entry, snapshot)
            }
        }
        return diff
    }

    /// One key's entries, oldest first.
    ///
    /// Listings give `LastModified` in whole seconds, so order within a second needs care. Real S3
    /// lists a key's versions and delete markers interleaved, newest first; the emulator (moto)
    /// lists a page's versions first and then its delete markers, each newest first. Both keep
    /// each kind newest first, so each kind is ordered by time and then by reverse listing
    /// position; the two are merged by time, and within one second by the lock-file protocol: a
    /// put (`If-None-Match: *`) only succeeds on an absent key, so puts and deletes alternate —
    /// after a version comes a delete marker, after a marker (or nothing) a version.
    public static func chronological(_ entries: [S3HistoryEntry]) -> [S3HistoryEntry] {
        let older: (S3HistoryEntry, S3HistoryEntry) -> Bool = {
            $0.lastModified != $1.lastModified ? $0.lastModified < $1.lastModified : $0.listingIndex > $1.listingIndex
        }
        let versions = entries.filter { !$0.isDeleteMarker }.sorted(by: older)
        let markers = entries.filter(\.isDeleteMarker).sorted(by: older)
        var out: [S3HistoryEntry] = []
        out.reserveCapacity(entries.count)
        var (v, m) = (0, 0)
        var held = false
        while v < versions.count || m < markers.count {
            let takeVersion: Bool
            if v == versions.count {
                takeVersion = false
            } else if m == markers.count {
                takeVersion = true
            } else if versions[v].lastModified != markers[m].lastModified {
                takeVersion = versions[v].lastModified < markers[m].lastModified
            } else {
                takeVersion = !held
            }
            if takeVersion {
                out.append(versions[v])
                v += 1
            } else {
                out.append(markers[m])
                m += 1
            }
            held = takeVersion
        }
        return out
    }

    private func eventKey(_ entry: S3HistoryEntry, _ what: String) -> String {
        "s3v|\(bucket)|\(entry.key)|\(entry.versionID)|\(what)"
    }

    private func appeared(
        _ entry: S3HistoryEntry, previous: (entry: S3HistoryEntry, snapshot: SnapshotEntry)?,
        fetched: S3Fetched?, observedAt: Timestamp
    ) -> ([Event], SnapshotEntry) {
        let time = EventTime.exact(entry.lastModified)
        if entry.isDeleteMarker {
            guard entry.isLockFile else { return ([], .deleteMarker) }
            guard let previous, previous.snapshot.kind == .lockFile else {
                // A repeated delete, or the lock's version was pruned before locktrail read it.
                let event = builder.lockFileUnparsed(
                    eventKey: eventKey(entry, "unparsed"), key: entry.key, versionID: entry.versionID, etag: nil,
                    reason: "delete marker with no lock-file version before it (a repeated delete, or the version was pruned)",
                    itemKind: .deleteMarker, time: time, observedAt: observedAt, raw: entry.raw)
                return ([event], .deleteMarker)
            }
            let details = LockChangeDetails(
                context: builder.context(key: entry.key, versionID: entry.versionID, etag: nil), record: nil,
                timeBasis: .lastModified, reason: .deleteMarker, releasedVersionID: previous.entry.versionID)
            let event = builder.lockFileReleased(
                eventKey: eventKey(entry, "released"), key: entry.key, previousBody: previous.snapshot.lockFile?.body ?? [],
                details: details, time: time, observedAt: observedAt, raw: entry.raw)
            return ([event], .deleteMarker)
        }

        var body: [UInt8] = []
        var readError: String?
        switch fetched {
        case .bytes(let bytes, _)?: body = bytes
        case .unavailable(let reason)?: readError = reason
        case nil: readError = "not read"
        }

        if entry.isLockFile {
            var events: [Event] = []
            if let previous, previous.snapshot.kind == .lockFile {
                // Overwritten without a delete between (not Terraform's protocol): the old lock ends here.
                let details = LockChangeDetails(
                    context: builder.context(key: entry.key, versionID: entry.versionID, etag: entry.etag),
                    record: nil, timeBasis: .lastModified, reason: .replaced,
                    releasedVersionID: previous.entry.versionID)
                events.append(
                    builder.lockFileReleased(
                        eventKey: eventKey(entry, "replaced"), key: entry.key, previousBody: previous.snapshot.lockFile?.body ?? [],
                        details: details, time: time, observedAt: observedAt, raw: entry.raw))
            }
            if let readError {
                events.append(
                    builder.lockFileUnparsed(
                        eventKey: eventKey(entry, "unparsed"), key: entry.key, versionID: entry.versionID, etag: entry.etag,
                        reason: "lock-file version could not be read: " + readError, itemKind: .lockFile, time: time,
                        observedAt: observedAt, raw: entry.raw))
            } else {
                events.append(
                    builder.lockFileAppeared(
                        eventKey: { eventKey(entry, $0) }, key: entry.key, versionID: entry.versionID, etag: entry.etag, body: body,
                        time: time, observedAt: observedAt, window: nil))
            }
            return (events, .lockFile(LockFileSnapshot(etag: entry.etag, body: body)))
        }

        let head: StateHead? = readError == nil ? StateHead.read(body, key: entry.key) : nil
        if head == .other || (head == nil && !StateHead.looksLikeStateKey(entry.key)) {
            return ([], .other(fingerprint: entry.etag))
        }
        let details = StateWriteDetails(
            context: builder.context(key: entry.key, versionID: entry.versionID, etag: entry.etag),
            size: entry.size, head: head, headError: readError, timeBasis: .lastModified)
        let event = builder.stateWritten(
            eventKey: eventKey(entry, "written"), key: entry.key, details: details, time: time,
            observedAt: observedAt, raw: entry.raw)
        return ([event], .state(etag: entry.etag))
    }
}
