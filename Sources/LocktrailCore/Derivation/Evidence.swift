/// Whether a source saw a fact itself or a client told locktrail about it.
public enum Provenance: String, Hashable, Sendable {
    /// A source (DynamoDB, S3) observed it: lock items and files, state objects, coverage.
    case observed
    /// A client reported it: the wrapper or a CI script through `POST /v1/hooks/events`, or
    /// `locktrail unlock` recording its own attempt. Traceable to the token that submitted it.
    case reported

    /// The provenance of `kind`: only sources produce lock sightings, writes and source events;
    /// runs, force-unlocks, failed releases and contention come from clients.
    public init(kind: EventKind) {
        switch kind {
        case .lockAcquired, .lockReleased, .stateWritten, .sourceTableMissing, .sourceTableRestored, .coverageGap,
            .observationUnparsed, .stateDigestRemoved:
            self = .observed
        default:
            self = .reported
        }
    }
}

/// One event that an answer rests on, named so a reviewer can look it up (`locktrail events`).
public struct Evidence: Hashable, Sendable {
    /// The event's position in the log.
    public var seq: Int64
    /// Its kind.
    public var kind: String
    /// The source that saw it.
    public var source: String
    /// The mechanism it concerns, if any.
    public var mechanism: Mechanism?
    /// When it happened.
    public var time: EventTime
    /// What it shows, in a few words.
    public var note: String
    /// Observed by a source or reported by a client.
    public var provenance: Provenance
    /// For reported evidence: who submitted it — the ingest token's name for hook events
    /// (`token NAME`), `locktrail unlock` for its own records.
    public var reportedBy: String?
    /// For a force-unlock: its outcome (`removed`, `unlocked`, `refused`, `not_found`, …).
    public var outcome: String?

    /// Evidence from `event` with what it shows.
    public init(_ event: SequencedEvent, note: String) {
        seq = event.seq
        kind = event.event.kind.rawValue
        source = event.event.source
        mechanism = event.event.mechanism
        time = DerivationRules.modelled(event.event)
        self.note = note
        provenance = Provenance(kind: event.event.kind)
        if provenance == .reported {
            reportedBy =
                event.event.details["ingest_token"]?.stringValue.map { "token " + $0 }
                ?? (event.event.source == "hook" ? "an unnamed ingest token" : event.event.source)
        }
        if event.event.kind == .lockForceUnlocked { outcome = event.event.details["outcome"]?.stringValue ?? "unknown" }
    }

    /// The JSON of an evidence item.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "seq": .int(seq), "kind": .string(kind), "source": .string(source), "mechanism": .optional(mechanism?.rawValue), "note": .string(note),
            "provenance": .string(provenance.rawValue), "reported_by": .optional(reportedBy),
        ]
        if let outcome { o["outcome"] = .string(outcome) }
        o.merge(time.boundsJSON(prefix: "occurred")) { a, _ in a }
        return .object(o)
    }
}
