/// Bounds arithmetic on event times: what the derivation compares when it merges evidence and
/// matches writes to holds.
extension EventTime {
    /// The earliest instant it can have happened at, inclusive; nil when unbounded. For bounds the
    /// exclusive `after` is moved by one microsecond, the resolution of `Timestamp`.
    public var earliest: Timestamp? {
        switch self {
        case .exact(let t): return t
        case .between(let after, _): return after?.adding(microseconds: 1)
        }
    }

    /// How wide the uncertainty is in microseconds: 0 when exact, nil when unbounded below.
    public var width: Int64? {
        switch self {
        case .exact: return 0
        case .between(let after, let notAfter): return after.map { notAfter.microseconds - $0.microseconds }
        }
    }

    /// Whether this time is known more precisely than `other`: exact beats bounds, tighter bounds
    /// beat looser ones, any lower bound beats none.
    public func isMorePrecise(than other: EventTime) -> Bool {
        switch (width, other.width) {
        case (let a?, let b?): return a < b
        case (.some, nil): return true
        default: return false
        }
    }

    /// `exact`, `second` (one whole second, `[t, t + 1 s)`: how S3 times are modelled, see
    /// `DerivationRules.modelled`) or `bounded`.
    public var precision: String {
        switch self {
        case .exact: return "exact"
        case .between(let after?, let notAfter)
        where notAfter.microseconds - after.microseconds == 1_000_000 && (after.microseconds + 1) % 1_000_000 == 0:
            return "second"
        case .between: return "bounded"
        }
    }

    /// The most precise of `times`, the earliest-listed winning ties; nil when empty.
    public static func mostPrecise<S: Sequence>(_ times: S) -> EventTime? where S.Element == EventTime {
        var best: EventTime?
        for t in times where best.map({ t.isMorePrecise(than: $0) }) ?? true { best = t }
        return best
    }
}

extension EventTime {
    /// `<prefix>_at` (exact or null), `<prefix>_after`, `<prefix>_not_after` and `<prefix>_precision`.
    public func boundsJSON(prefix: String) -> [String: JSONValue] {
        switch self {
        case .exact(let t):
            return [prefix + "_at": .string(t.rfc3339), prefix + "_after": .null, prefix + "_not_after": .null, prefix + "_precision": "exact"]
        case .between(let after, let notAfter):
            return [
                prefix + "_at": .null, prefix + "_after": .optional(after?.rfc3339),
                prefix + "_not_after": .string(notAfter.rfc3339), prefix + "_precision": .string(precision),
            ]
        }
    }
}
