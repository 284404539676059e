import LocktrailCrypto

/// The events both S3 rule sets (listings and version history) build, so that a lock file reads
/// the same whichever way it was seen: mechanism `s3-lockfile` for lock files, `s3-state` for
/// states, and `bucket`, `object_key`, `version_id`, `etag` in every event's details.
struct S3EventBuilder: Sendable {
    var source: String
    var bucket: String
    var layout: WorkspaceLayout

    /// The state a lock-file key belongs to.
    func lockFileState(_ key: String) -> StateIdentity? { StateIdentity(bucket: bucket, lockFileKey: key, layout: layout) }

    /// The state stored at `key`.
    func objectState(_ key: String) -> StateIdentity { StateIdentity(bucket: bucket, key: key, layout: layout) }

    func objectDetails(key: String, versionID: String?, etag: String?) -> [String: JSONValue] {
        ["bucket": .string(bucket), "object_key": .string(key), "version_id": .optional(versionID), "etag": .optional(etag)]
    }

    /// `lock.acquired` for a body that is a lock record, else `observation.unparsed` with the reason;
    /// `eventKey` gets `acquired` or `unparsed`. The body is the raw observation.
    func lockFileAppeared(eventKey: (String) -> String, key: String, versionID: String?, etag: String, body: [UInt8],
                          time: EventTime, observedAt: Timestamp, extra: [String: JSONValue]) -> Event {
        let state = lockFileState(key)
        var details = objectDetails(key: key, versionID: versionID, etag: etag).merging(extra) { _, new in new }
        switch LockRecordParse.parse(body) {
        case .record(let record):
            details.merge(record.eventDetails) { own, _ in own }
            if let path = record.path, path != state?.lockPath { details["path_mismatch"] = true }
            return Event(key: eventKey("acquired"), kind: .lockAcquired, source: source, mechanism: "s3-lockfile", time: time,
                         observedAt: observedAt, lockID: record.id, state: state?.lockPath, workspace: state?.workspace,
                         details: .object(details), raw: RawObservation.json(body))
        case .unparseable(let reason):
            details["reason"] = .string("lock file whose body is not a lock record: " + reason)
            details["item_kind"] = "lock_file"
            return Event(key: eventKey("unparsed"), kind: .observationUnparsed, source: source, mechanism: "s3-lockfile", time: time,
                         observedAt: observedAt, state: state?.lockPath, workspace: state?.workspace,
                         details: .object(details), raw: RawObservation.json(body))
        }
    }

    /// `lock.released` of the lock whose body was `previousBody` (nil lock ID when it was not a record).
    func lockFileReleased(eventKey: String, key: String, versionID: String?, etag: String?, previousBody: [UInt8],
                          time: EventTime, observedAt: Timestamp, extra: [String: JSONValue], raw: JSONValue?) -> Event {
        let state = lockFileState(key)
        var details = objectDetails(key: key, versionID: versionID, etag: etag).merging(extra) { _, new in new }
        let record = LockRecordParse.parse(previousBody).record
        if let record { details.merge(record.eventDetails) { own, _ in own } } else { details["unparsed"] = true }
        return Event(key: eventKey, kind: .lockReleased, source: source, mechanism: "s3-lockfile", time: time, observedAt: observedAt,
                     lockID: record?.id, state: state?.lockPath, workspace: state?.workspace, details: .object(details), raw: raw)
    }

    /// `state.written` with what the head says (serial, lineage, terraform_version, encrypted).
    /// The raw observation is the listing entry: a state's content is never stored (it holds secrets).
    func stateWritten(eventKey: String, key: String, versionID: String?, etag: String, size: Int64, head: StateHead?,
                      headError: String?, time: EventTime, observedAt: Timestamp, extra: [String: JSONValue], raw: JSONValue?) -> Event {
        let state = objectState(key)
        var details = objectDetails(key: key, versionID: versionID, etag: etag).merging(extra) { _, new in new }
        details["size"] = .int(size)
        if let head { details.merge(head.details) { own, _ in own } }
        if let headError { details["head_error"] = .string(headError) }
        return Event(key: eventKey, kind: .stateWritten, source: source, mechanism: "s3-state", time: time, observedAt: observedAt,
                     state: state.lockPath, workspace: state.workspace, details: .object(details), raw: raw)
    }

    /// The ETag of any S3 snapshot entry.
    static func etag(of entry: SnapshotEntry) -> String {
        switch entry {
        case .lockFile(let file): file.etag
        case .state(let etag), .other(let etag): etag
        case .lock(let info): info
        case .digest(let digest): digest
        case .deleteMarker: ""
        }
    }

    /// A short stable name for bytes that are not a record (for idempotency keys).
    static func digest(_ bytes: [UInt8]) -> String { Hex.encode(Digest.sha256(bytes)) }
}
