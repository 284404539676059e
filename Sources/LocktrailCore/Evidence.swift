/// One event that an answer rests on, named so a reviewer can look it up (`locktrail events`).
public struct Evidence: Hashable, Sendable {
    /// The event's position in the log.
    public var seq: Int64
    /// Its kind.
    public var kind: String
    /// The source that saw it.
    public var source: String
    /// The mechanism it concerns, if any.
    public var mechanism: String?
    /// When it happened.
    public var time: EventTime
    /// What it shows, in a few words.
    public var note: String

    /// Evidence from `event` with what it shows.
    public init(_ event: SequencedEvent, note: String) {
        seq = event.seq
        kind = event.event.kind.rawValue
        source = event.event.source
        mechanism = event.event.mechanism
        time = event.event.time
        self.note = note
    }

    /// The JSON of an evidence item.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "seq": .int(seq), "kind": .string(kind), "source": .string(source), "mechanism": .optional(mechanism), "note": .string(note),
        ]
        o.merge(time.boundsJSON(prefix: "occurred")) { a, _ in a }
        return .object(o)
    }
}

extension EventTime {
    /// `<prefix>_at` (exact or null), `<prefix>_after`, `<prefix>_not_after` and `<prefix>_precision`.
    public func boundsJSON(prefix: String) -> [String: JSONValue] {
        switch self {
        case .exact(let t):
            return [prefix + "_at": .string(t.rfc3339), prefix + "_after": .null, prefix + "_not_after": .null, prefix + "_precision": "exact"]
        case .between(let after, let notAfter):
            return [prefix + "_at": .null, prefix + "_after": .optional(after?.rfc3339),
                    prefix + "_not_after": .string(notAfter.rfc3339), prefix + "_precision": "bounded"]
        }
    }
}
