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
