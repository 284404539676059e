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
    /// Which locking mechanism it concerns; nil if none.
    public var mechanism: Mechanism?
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
        key: String, kind: EventKind, source: String, mechanism: Mechanism? = nil, time: EventTime,
        observedAt: Timestamp, lockID: String? = nil, state: String? = nil, workspace: String? = nil,
        details: JSONValue = .object([:]), raw: JSONValue? = nil
    ) {
        self.key = key.storable
        self.kind = EventKind(named: kind.rawValue.storable)
        self.source = source.storable
        self.mechanism = mechanism
        self.time = time
        self.observedAt = observedAt
        self.lockID = lockID?.storable
        self.state = state?.storable
        self.workspace = workspace?.storable
        self.details = details.objectValue == nil ? .object(["value": details]).storable : details.storable
        self.raw = raw?.storable
    }

    /// An event whose details are typed: `details` must belong to `kind` (`D.kinds`).
    public init<D: EventDetails>(
        key: String, kind: EventKind, source: String, mechanism: Mechanism?, time: EventTime, observedAt: Timestamp,
        lockID: String? = nil, state: String? = nil, workspace: String? = nil, details: D, raw: JSONValue? = nil
    ) {
        assert(D.kinds.contains(kind), "\(D.self) are not the details of \(kind)")
        self.init(
            key: key, kind: kind, source: source, mechanism: mechanism, time: time, observedAt: observedAt, lockID: lockID,
            state: state, workspace: workspace, details: .object(details.object), raw: raw)
    }

    /// The version of the canonical encoding new events are written with (`EventEncoding.current`).
    public static let encodingVersion = EventEncoding.current.rawValue

    /// The canonical encoding new events are hashed with: the bytes hashed into the chain.
    public var canonicalEncoding: [UInt8] { canonicalEncoding(in: .current) }

    /// The RFC 8785 canonical encoding of this event in `encoding`, the one it was (or will be) stored with.
    public func canonicalEncoding(in encoding: EventEncoding) -> [UInt8] {
        canonicalEncoding(
            details: CanonicalJSON.encode(details, numbers: encoding.numbers),
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
        member("\"mechanism\":"); optional(mechanism?.rawValue)
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
