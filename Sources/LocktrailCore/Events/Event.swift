/// What an event says happened. An open set: sources may add kinds, and old events keep theirs.
public struct EventKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A lock appeared (DynamoDB item, lock file, lock-file version).
    public static let lockAcquired = EventKind("lock.acquired")
    /// A lock disappeared (item gone, lock file gone, delete marker).
    public static let lockReleased = EventKind("lock.released")
    /// A state object was written (digest new or changed, state ETag or version).
    public static let stateWritten = EventKind("state.written")
    /// A lock table or bucket the source watches does not exist (one event, not N releases).
    public static let sourceTableMissing = EventKind("source.table_missing")
    /// A lock table that was missing exists again.
    public static let sourceTableRestored = EventKind("source.table_restored")
    /// A period in which a source did not observe: history may be missing there.
    public static let coverageGap = EventKind("source.coverage_gap")
    /// A state's `-md5` digest item disappeared from the lock table (the workspace was deleted).
    public static let stateDigestRemoved = EventKind("state.digest_removed")
    /// Something a source saw that is not a lock record or digest; kept raw with the reason.
    public static let observationUnparsed = EventKind("observation.unparsed")
    /// A run was blocked by another holder's lock.
    public static let lockContended = EventKind("lock.contended")
    /// A lock was removed by force-unlock (terraform's, or `locktrail unlock`).
    public static let lockForceUnlocked = EventKind("lock.force_unlocked")
    /// A holder failed to release its lock (evidence it was removed by someone else).
    public static let lockReleaseFailed = EventKind("lock.release_failed")
    /// A wrapped terraform run started.
    public static let runStarted = EventKind("run.started")
    /// A wrapped run is still alive.
    public static let runHeartbeat = EventKind("run.heartbeat")
    /// A wrapped run finished.
    public static let runFinished = EventKind("run.finished")

    /// Every kind locktrail writes: the one registry (docs/events.md is checked against it).
    public static let registry: [EventKind] = [
        .lockAcquired, .lockReleased, .stateWritten, .sourceTableMissing, .sourceTableRestored, .coverageGap,
        .stateDigestRemoved, .observationUnparsed, .lockContended, .lockForceUnlocked, .lockReleaseFailed,
        .runStarted, .runHeartbeat, .runFinished,
    ]
}

/// When an event happened: exactly, or only within bounds (a poll sees a change between scans).
public enum EventTime: Hashable, Sendable {
    /// Known to the microsecond.
    case exact(Timestamp)
    /// After `after` (exclusive; nil when unbounded) and no later than `notAfter`.
    case between(after: Timestamp?, notAfter: Timestamp)

    /// The latest moment it can have happened.
    public var latest: Timestamp {
        switch self {
        case .exact(let t): return t
        case .between(_, let t): return t
        }
    }

    /// The exact time, if known.
    public var exact: Timestamp? {
        if case .exact(let t) = self { return t }
        return nil
    }

    var json: JSONValue {
        switch self {
        case .exact(let t): return ["exact": .string(t.rfc3339)]
        case .between(let after, let notAfter):
            return ["after": .optional(after?.rfc3339), "not_after": .string(notAfter.rfc3339)]
        }
    }
}

/// One entry of the append-only event log: the record of truth from which holds and writes are
/// derived. Strings are stored as PostgreSQL can hold them (NUL replaced), so the canonical
/// encoding computed here is the one `verify` recomputes from the stored row.
public struct Event: Hashable, Sendable {
    /// Idempotency key: the same observation always yields the same key, so re-ingesting is a no-op.
    public var key: String
    /// What happened.
    public var kind: EventKind
    /// Which source saw it, e.g. `dynamodb:us-east-1/terraform-locks` or `hook`.
    public var source: String
    /// Which locking mechanism it concerns: `dynamodb`, `s3-lockfile`, `s3-state`, `hook`; nil if none.
    public var mechanism: String?
    /// When it happened.
    public var time: EventTime
    /// When the source observed it.
    public var observedAt: Timestamp
    /// The Terraform lock ID it concerns, if any.
    public var lockID: String?
    /// The state's lock path `<bucket>/<key>`, if any.
    public var state: String?
    /// The workspace, if known.
    public var workspace: String?
    /// Kind-specific facts (who, operation, digest, serial, reason, …) as a JSON object.
    public var details: JSONValue
    /// The raw observation as seen (lock record, item, listing entry, hook payload), if any.
    public var raw: JSONValue?

    /// An event; strings are made storable (NUL → U+FFFD) and `details` must be an object.
    public init(
        key: String, kind: EventKind, source: String, mechanism: String? = nil, time: EventTime,
        observedAt: Timestamp, lockID: String? = nil, state: String? = nil, workspace: String? = nil,
        details: JSONValue = .object([:]), raw: JSONValue? = nil
    ) {
        self.key = key.storable
        self.kind = EventKind(kind.rawValue.storable)
        self.source = source.storable
        self.mechanism = mechanism?.storable
        self.time = time
        self.observedAt = observedAt
        self.lockID = lockID?.storable
        self.state = state?.storable
        self.workspace = workspace?.storable
        self.details = details.objectValue == nil ? .object(["value": details]).storable : details.storable
        self.raw = raw?.storable
    }

    /// The version of the canonical encoding new events are written with (`EventEncoding.current`).
    public static let encodingVersion = EventEncoding.current.rawValue

    /// The canonical encoding new events are hashed with: the bytes hashed into the chain.
    public var canonicalEncoding: [UInt8] { canonicalEncoding(in: .current) }

    /// The RFC 8785 canonical encoding of this event in `encoding`, the one it was (or will be) stored with.
    public func canonicalEncoding(in encoding: EventEncoding) -> [UInt8] {
        canonicalEncoding(details: CanonicalJSON.encode(details, numbers: encoding.numbers),
                          raw: raw.map { CanonicalJSON.encode($0, numbers: encoding.numbers) }, encoding: encoding)
    }

    /// The canonical encoding with `details` and `raw` already canonically encoded (in
    /// `encoding`'s number form), so a writer that also stores them encodes them once. The
    /// members are written in RFC 8785 order (sorted keys) directly, without building and sorting
    /// a dictionary per event.
    public func canonicalEncoding(details: [UInt8], raw: [UInt8]?, encoding: EventEncoding) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(details.count + (raw?.count ?? 4) + key.utf8.count + 512)
        func member(_ name: StaticString, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            name.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        func optional(_ s: String?) {
            if let s { CanonicalJSON.appendString(s, to: &out) } else { out.append(contentsOf: Array("null".utf8)) }
        }
        out.append(UInt8(ascii: "{"))
        member("\"details\":", first: true); out.append(contentsOf: details)
        member("\"key\":"); CanonicalJSON.appendString(key, to: &out)
        member("\"kind\":"); CanonicalJSON.appendString(kind.rawValue, to: &out)
        member("\"lock_id\":"); optional(lockID)
        member("\"mechanism\":"); optional(mechanism)
        member("\"observed_at\":"); CanonicalJSON.appendString(observedAt.rfc3339, to: &out)
        member("\"raw\":"); if let raw { out.append(contentsOf: raw) } else { out.append(contentsOf: Array("null".utf8)) }
        member("\"source\":"); CanonicalJSON.appendString(source, to: &out)
        member("\"state\":"); optional(state)
        member("\"time\":"); CanonicalJSON.append(time.json, numbers: encoding.numbers, to: &out)
        member("\"v\":"); out.append(contentsOf: Array(String(encoding.rawValue).utf8))
        member("\"workspace\":"); optional(workspace)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
