/// Whether a state write happened under a lock.
public enum WriteStatus: String, Hashable, Sendable, CaseIterable {
    /// Exactly one hold on the same state was certainly held for the write's whole time window.
    case locked
    /// The times fit one or more holds (`StateWrite.candidates`) without proving which, or that
    /// any was held at the write: no holder is named.
    case ambiguous
    /// Complete, gap-free lock history proves no lock was held in the write's time: the incident signal.
    case unlocked
    /// The evidence is too coarse to tell.
    case unknown
}

/// One write of a state object (a new `-md5` digest, a new state ETag or version), matched to the
/// holds on the same state.
public struct StateWrite: Hashable, Sendable {
    /// The `state.written` event's position in the log: the write's identity.
    public var seq: Int64
    /// The state's lock path.
    public var state: String
    /// The workspace, if known.
    public var workspace: String?
    /// The source that saw it.
    public var source: String
    /// The mechanism (`dynamodb` for digests, `s3-state` for objects).
    public var mechanism: Mechanism?
    /// When it happened.
    public var time: EventTime
    /// The DynamoDB digest (MD5 of the state bytes), if that is what was seen.
    public var digest: String?
    /// The S3 ETag, if seen.
    public var etag: String?
    /// The S3 version ID, if seen.
    public var versionID: String?
    /// The state's `serial`, if read.
    public var serial: Int64?
    /// The state's `lineage`, if read.
    public var lineage: String?
    /// Whether it was already there when the source first looked (written before locktrail watched).
    public var baseline: Bool
    /// Locked, unlocked or unknown.
    public var status: WriteStatus
    /// For `locked`: `certain` (the hold was held for the write's whole time window).
    public var match: String?
    /// For `locked`: the hold's lock ID; nil for every other status.
    public var lockID: String?
    /// The holds whose times fit the write (one for `locked`; one or more for `ambiguous`).
    public var candidates: [String] = []
    /// For `locked`: the hold's `Who`.
    public var who: String?
    /// Why the status is what it is, in one sentence.
    public var reason: String
    /// The serial is lower than the previous write's.
    public var serialRegression: Bool
    /// The lineage differs from the previous write's.
    public var lineageChanged: Bool
    /// The previous write's serial, when either flag is about it.
    public var previousSerial: Int64?
    /// The previous write's lineage, when it changed.
    public var previousLineage: String?
    /// Every source that saw this write (DynamoDB's digest and the S3 object of the same bytes
    /// are one write); `source` is the one whose time it has.
    public var sources: [String]
    /// The events this answer rests on.
    public var evidence: [Evidence]

    /// Takes in `twin`, the same upload seen by another source: what it knows that this does
    /// not, its source, and its event as evidence.
    mutating func absorb(_ twin: SequencedEvent) {
        let d = twin.event.details
        digest = digest ?? d["digest"]?.stringValue
        etag = etag ?? d["etag"]?.stringValue
        versionID = versionID ?? d["version_id"]?.stringValue
        serial = serial ?? d["serial"]?.numberValue.map { Int64($0) }
        lineage = lineage ?? d["lineage"]?.stringValue
        if !sources.contains(twin.event.source) { sources.append(twin.event.source) }
        evidence.append(Evidence(twin, note: "the same write seen by \(twin.event.source)"))
    }

    /// The JSON of a write, as `writes` and `/v1/writes` print it.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "seq": .int(seq), "state": .string(state), "workspace": .optional(workspace), "source": .string(source),
            "mechanism": .optional(mechanism?.rawValue), "digest": .optional(digest), "etag": .optional(etag), "version_id": .optional(versionID),
            "serial": serial.map { .int($0) } ?? .null, "lineage": .optional(lineage), "baseline": .bool(baseline),
            "status": .string(status.rawValue), "match": .optional(match), "lock_id": .optional(lockID), "who": .optional(who),
            "candidates": .array(candidates.map(JSONValue.string)),
            "reason": .string(reason), "serial_regression": .bool(serialRegression), "lineage_changed": .bool(lineageChanged),
            "previous_serial": previousSerial.map { .int($0) } ?? .null, "previous_lineage": .optional(previousLineage),
            "sources": .array(sources.map(JSONValue.string)), "evidence": .array(evidence.map(\.json)),
        ]
        o.merge(time.boundsJSON(prefix: "written")) { a, _ in a }
        return .object(o)
    }
}
