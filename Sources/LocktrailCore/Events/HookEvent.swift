/// An event reported by a wrapper hook (`locktrail wrap`, `locktrail hook emit`, CI scripts) and
/// sent to `POST /v1/hooks/events`. Its client-generated `id` makes retries and replays idempotent.
public struct HookEvent: Hashable, Sendable {
    /// Client-generated, unique per event (a UUID).
    public var id: String
    /// `run.started`, `run.heartbeat`, `run.finished`, `lock.contended`, `lock.force_unlocked`,
    /// `lock.release_failed`, or another `run.*`/`lock.*` kind.
    public var kind: EventKind
    /// When it happened (the reporter's clock).
    public var time: Timestamp
    /// The run it belongs to.
    public var runID: String
    /// The state's lock path, when known.
    public var state: String?
    /// The workspace, when known.
    public var workspace: String?
    /// The lock it concerns (the holder's, the force-unlocked one, the one that failed to release).
    public var lockID: String?
    /// Everything else: who, host, command, CI, backend, exit code, holder, reason, ….
    public var details: [String: JSONValue]

    /// An event.
    public init(
        id: String, kind: EventKind, time: Timestamp, runID: String, state: String? = nil, workspace: String? = nil,
        lockID: String? = nil, details: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.kind = kind
        self.time = time
        self.runID = runID
        self.state = state
        self.workspace = workspace
        self.lockID = lockID
        self.details = details
    }

    /// Kinds a hook may report. Not the maintenance-lock kinds: only `locktrail lock` and the
    /// collector write those, and the collector acts on them (it removes expired maintenance locks).
    public static func isAllowed(_ kind: String) -> Bool {
        (kind.hasPrefix("run.") || kind.hasPrefix("lock.")) && kind != EventKind.lockAcquired.rawValue
            && kind != EventKind.lockReleased.rawValue && !kind.hasPrefix("lock.maintenance_") && kind.count <= 64
    }

    /// The wire form.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "kind": .string(kind.rawValue), "time": .string(time.rfc3339), "run_id": .string(runID),
            "details": .object(details),
        ]
        if let state { o["state"] = .string(state) }
        if let workspace { o["workspace"] = .string(workspace) }
        if let lockID { o["lock_id"] = .string(lockID) }
        return .object(o)
    }

    /// What is wrong with a payload, naming the field.
    public struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        /// The JSON path of the bad field, e.g. `events[2].time`.
        public var field: String
        /// What is wrong with it.
        public var reason: String
        public var description: String { "\(field): \(reason)" }
    }

    /// Reads and validates the wire form; `path` prefixes field names in errors.
    public init(json: JSONValue, path: String = "") throws(Invalid) {
        func field(_ name: String) -> String { path.isEmpty ? name : path + "." + name }
        guard case .object(let o) = json else { throw Invalid(field: path.isEmpty ? "event" : path, reason: "must be an object") }
        func string(_ name: String, required: Bool, max: Int = 1024) throws(Invalid) -> String? {
            guard let value = o[name] else {
                if required { throw Invalid(field: field(name), reason: "is required") }
                return nil
            }
            // null is not "unknown": an unknown field is left out, as the OpenAPI document says.
            guard case .string(let s) = value else { throw Invalid(field: field(name), reason: "must be a string (leave it out when unknown)") }
            guard !s.isEmpty || !required else { throw Invalid(field: field(name), reason: "must not be empty") }
            guard s.utf8.count <= max else { throw Invalid(field: field(name), reason: "is longer than \(max) bytes") }
            return s
        }
        let id = try string("id", required: true, max: 128)!
        let kind = try string("kind", required: true, max: 64)!
        guard Self.isAllowed(kind) else {
            throw Invalid(
                field: field("kind"),
                reason:
                    "must be a run.* or lock.* kind other than lock.acquired/lock.released (those come from the lock itself) and lock.maintenance_* (only locktrail lock and the collector write those)"
            )
        }
        let timeText = try string("time", required: true, max: 64)!
        guard let time = Timestamp(parsing: timeText) else { throw Invalid(field: field("time"), reason: "must be an RFC 3339 time") }
        guard time.isSupported else {
            throw Invalid(field: field("time"), reason: "must lie in the years 0001 to 9999 (UTC), from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z")
        }
        let runID = try string("run_id", required: true, max: 128)!
        var details: [String: JSONValue] = [:]
        if let d = o["details"] {
            guard case .object(let object) = d else { throw Invalid(field: field("details"), reason: "must be an object") }
            details = object
        }
        self.init(
            id: id, kind: EventKind(named: kind), time: time, runID: runID, state: try string("state", required: false),
            workspace: try string("workspace", required: false, max: 256), lockID: try string("lock_id", required: false, max: 256),
            details: details)
    }

    /// The event-log entry for this hook event, received at `receivedAt` from a client that
    /// authenticated with the ingest token named `ingestToken`.
    public func event(receivedAt: Timestamp, ingestToken: String) -> Event {
        // Provenance: which token submitted this report. Set by the server over whatever the
        // client sent, so a client cannot claim another's name; `raw` keeps what it did send.
        let d = HookReportDetails(reported: details, runID: runID, hookEventID: id, ingestToken: ingestToken)
        // A hook may report a kind of its own (`run.*`/`lock.*`): its details are the same shape.
        return Event(
            key: "hook|" + id, kind: kind, source: "hook", mechanism: .hook, time: .exact(time), observedAt: receivedAt,
            lockID: lockID, state: state, workspace: workspace, details: .object(d.object), raw: json)
    }
}
