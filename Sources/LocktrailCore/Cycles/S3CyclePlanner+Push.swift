/// The parts of an S3 cycle that read only some keys: push (event notifications through SQS) and
/// a versioned bucket's frequent cycle, which compares the current objects with the newest
/// version known of each key and walks the whole history only every reconciliation interval.
///
/// Besides its versions (`<key>#<versionId>`), a versioned source's snapshot keeps two kinds of
/// bookkeeping entry, as `.other`: the head of each current object (`<key>#`, its ETag: S3 never
/// gives an empty version id) and the start of the last walk of the whole history
/// (`#reconciled`, microseconds: S3 never gives an empty key).
extension S3CyclePlanner {
    /// The snapshot key of the last walk of the whole version history.
    public static let reconciledKey = "#reconciled"

    /// The snapshot key of `key`'s current head.
    public static func headKey(_ key: String) -> String { key + "#" }

    /// Whether a snapshot key is bookkeeping rather than a version.
    static func isBookkeeping(_ itemKey: String) -> Bool { itemKey == reconciledKey || itemKey.hasSuffix("#") }

    /// When the whole version history was last walked, from the snapshot.
    public static func lastReconciled(_ snapshot: [String: SnapshotEntry]) -> Timestamp? {
        guard case .other(let text)? = snapshot[reconciledKey], let microseconds = Int64(text) else { return nil }
        return Timestamp(microsecondsSinceEpoch: microseconds)
    }

    /// Whether a versioned cycle at `now` must walk the whole history: never walked (or not
    /// followed as versioned before), or last walked `interval` seconds ago or more.
    public func reconciliationDue(
        checkpoint: SourceCheckpoint, snapshot: [String: SnapshotEntry], now: Timestamp,
        interval: Double
    ) -> Bool {
        guard checkpoint.status == .versioned, let last = Self.lastReconciled(snapshot) else { return true }
        return now.secondsSinceEpoch - last.secondsSinceEpoch >= interval
    }

    /// The keys a versioned bucket's current listing has news of: an object whose ETag is not
    /// its known head (new, or a new version), and a known head no longer listed (deleted).
    public func keysWithNews(current: [S3ListedObject], snapshot: [String: SnapshotEntry]) -> Set<String> {
        var news = Set<String>()
        var listed = Set<String>()
        for object in current {
            listed.insert(object.key)
            if case .other(let etag)? = snapshot[Self.headKey(object.key)], etag == object.etag { continue }
            news.insert(object.key)
        }
        for itemKey in snapshot.keys where itemKey.count > 1 && itemKey.hasSuffix("#") {
            let key = String(itemKey.dropLast())
            if !listed.contains(key) { news.insert(key) }
        }
        return news
    }

    /// The keys of this source that `notices` have news of: lock files and states created or
    /// removed in this bucket, under the prefix.
    public func keysWithNews(notices: [S3Notice]) -> Set<String> {
        Set(
            notices.filter { notice in
                notice.bucket == bucket && notice.change != .other && notice.keyRole != .other
                    && (prefix.map { notice.key.hasPrefix($0) } ?? true)
            }.map(\.key))
    }

    /// Keeps each key's head: the newest entry of the key, when it is a version, else none.
    func updateHeads(_ diff: inout SnapshotDiff, entries: [S3HistoryEntry], keys: Set<String>?, known: [String: SnapshotEntry]) {
        var byKey: [String: [S3HistoryEntry]] = [:]
        for entry in entries { byKey[entry.key, default: []].append(entry) }
        var heads: [String: String] = [:]
        for (key, list) in byKey {
            if let newest = VersionHistory.chronological(list).last, !newest.isDeleteMarker { heads[key] = newest.etag }
        }
        // The keys whose head this cycle decides: those it read, or (whole history) every key.
        let decided = keys ?? Set(byKey.keys).union(known.keys.filter { $0.count > 1 && $0.hasSuffix("#") }.map { String($0.dropLast()) })
        for key in decided.sorted() {
            let itemKey = Self.headKey(key)
            if let etag = heads[key] {
                if known[itemKey] != .other(fingerprint: etag) { diff.upserts.append((itemKey, .other(fingerprint: etag))) }
            } else if known[itemKey] != nil {
                diff.deletions.append(itemKey)
            }
        }
    }

    /// Who created or removed what `event` records, from the notice of the same change: on a
    /// versioned bucket the notice of the same version id, on any other the only notice of that
    /// change to that key in the cycle (two would not say which lock each was). Empty when none.
    static func principalDetails(of event: Event, notices: [S3Notice], versioned: Bool) -> [String: JSONValue] {
        guard !notices.isEmpty, event.kind == .lockAcquired || event.kind == .lockReleased,
            let key = event.details["object_key"]?.stringValue
        else { return [:] }
        if event.kind == .lockReleased, event.details["reason"]?.stringValue == "replaced" { return [:] }
        let change: S3Notice.Change = event.kind == .lockAcquired ? .created : .removed
        let candidates = notices.filter { $0.key == key && $0.change == change }
        let notice: S3Notice?
        if versioned {
            let versionID = event.details["version_id"]?.stringValue
            notice = versionID == nil ? nil : candidates.first { $0.versionID == versionID }
        } else {
            notice = Set(candidates.map { $0.eTag ?? "" }).count == 1 && candidates.count >= 1 ? candidates.first : nil
        }
        guard let notice else { return [:] }
        var extra: [String: JSONValue] = ["notification": .string(notice.eventName)]
        if let principal = notice.principal { extra["principal_id"] = .string(principal.raw) }
        if let ip = notice.sourceIPAddress { extra["source_ip_address"] = .string(ip) }
        if let time = notice.timeText { extra["notification_time"] = .string(time) }
        return extra
    }

    /// `event` with `extra` merged into its details.
    static func adding(_ extra: [String: JSONValue], to event: Event) -> Event {
        guard case .object(var details) = event.details else { return event }
        details.merge(extra) { _, new in new }
        var out = event
        out.details = .object(details)
        return out
    }
}
