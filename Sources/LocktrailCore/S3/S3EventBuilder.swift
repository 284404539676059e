import LocktrailCrypto

/// The events both S3 rule sets (listings and version history) build, so that a lock file reads
/// the same whichever way it was seen: mechanism `s3-lockfile` for lock files, `s3-state` for
/// states, and the object's `ObservationContext` in every event's details.
struct S3EventBuilder: Sendable {
    var source: String
    var bucket: String
    var layout: WorkspaceLayout

    /// The state a lock-file key belongs to.
    func lockFileState(_ key: String) -> StateIdentity? { StateIdentity(bucket: bucket, lockFileKey: key, layout: layout) }

    /// The state stored at `key`.
    func objectState(_ key: String) -> StateIdentity { StateIdentity(bucket: bucket, key: key, layout: layout) }

    /// Where an object (or version) was seen: by a listing scan when `window` is given.
    func context(key: String, versionID: String?, etag: String?, window: ScanWindow? = nil) -> ObservationContext {
        if let window { return .s3Scan(bucket: bucket, key: key, versionID: versionID, etag: etag, window: window) }
        return .s3Object(bucket: bucket, key: key, versionID: versionID, etag: etag)
    }

    /// `lock.acquired` for a body that is a lock record, else `observation.unparsed` with the reason;
    /// `eventKey` gets `acquired` or `unparsed`. The body is the raw observation; the time is the
    /// object's or version's `LastModified`.
    func lockFileAppeared(
        eventKey: (String) -> String, key: String, versionID: String?, etag: String, body: [UInt8],
        time: EventTime, observedAt: Timestamp, window: ScanWindow?
    ) -> Event {
        let state = lockFileState(key)
        let context = context(key: key, versionID: versionID, etag: etag, window: window)
        switch LockRecordParse.parse(body) {
        case .record(let record):
            let details = LockChangeDetails(
                context: context, record: record, timeBasis: .lastModified,
                pathMismatch: record.path.map { $0 != state?.lockPath } ?? false)
            return Event(
                key: eventKey("acquired"), kind: .lockAcquired, source: source, mechanism: .s3Lockfile, time: time,
                observedAt: observedAt, lockID: record.id, state: state?.lockPath, workspace: state?.workspace,
                details: details, raw: RawObservation.json(body))
        case .unparseable(let reason):
            let details = UnparsedDetails(
                context: context, reason: "lock file whose body is not a lock record: " + reason,
                itemKind: .lockFile, timeBasis: .lastModified)
            return Event(
                key: eventKey("unparsed"), kind: .observationUnparsed, source: source, mechanism: .s3Lockfile, time: time,
                observedAt: observedAt, state: state?.lockPath, workspace: state?.workspace,
                details: details, raw: RawObservation.json(body))
        }
    }

    /// `observation.unparsed` for a lock-file version or delete marker that cannot be read as a lock.
    func lockFileUnparsed(
        eventKey: String, key: String, versionID: String, etag: String?, reason: String,
        itemKind: UnparsedDetails.ItemKind, time: EventTime, observedAt: Timestamp, raw: JSONValue?
    ) -> Event {
        let state = lockFileState(key)
        return Event(
            key: eventKey, kind: .observationUnparsed, source: source, mechanism: .s3Lockfile, time: time,
            observedAt: observedAt, state: state?.lockPath, workspace: state?.workspace,
            details: UnparsedDetails(context: context(key: key, versionID: versionID, etag: etag), reason: reason, itemKind: itemKind),
            raw: raw)
    }

    /// `lock.released` of the lock whose body was `previousBody` (nil lock ID when it was not a
    /// record); `details` say where and why, the record's facts are added here.
    func lockFileReleased(
        eventKey: String, key: String, previousBody: [UInt8], details: LockChangeDetails,
        time: EventTime, observedAt: Timestamp, raw: JSONValue?
    ) -> Event {
        let state = lockFileState(key)
        var details = details
        details.record = LockRecordParse.parse(previousBody).record
        return Event(
            key: eventKey, kind: .lockReleased, source: source, mechanism: .s3Lockfile, time: time, observedAt: observedAt,
            lockID: details.record?.id, state: state?.lockPath, workspace: state?.workspace, details: details, raw: raw)
    }

    /// `state.written` with what the head says (serial, lineage, terraform_version, encrypted).
    /// The raw observation is the listing entry: a state's content is never stored (it holds secrets).
    func stateWritten(
        eventKey: String, key: String, details: StateWriteDetails, time: EventTime, observedAt: Timestamp,
        raw: JSONValue?
    ) -> Event {
        let state = objectState(key)
        return Event(
            key: eventKey, kind: .stateWritten, source: source, mechanism: .s3State, time: time, observedAt: observedAt,
            state: state.lockPath, workspace: state.workspace, details: details, raw: raw)
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
