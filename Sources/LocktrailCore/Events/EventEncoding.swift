/// A version of the canonical encoding. Every stored event records the one it was hashed with
/// (column `encoding`, migration 0005) and `verify` re-encodes it with that one, so a new version
/// changes how new events are written and never rewrites history. A new version needs a new case
/// and a migration that allows its number.
public enum EventEncoding: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Until migration 0005: integers below 9e18 in magnitude printed with all their digits.
    case v1 = 1
    /// RFC 8785 number serialisation to the letter (ECMAScript's `Number::toString`).
    case v2 = 2

    /// What new events are written with.
    public static let current = EventEncoding.v2

    /// How this version writes numbers.
    public var numbers: CanonicalJSON.NumberForm {
        switch self {
        case .v1: return .encoding1
        case .v2: return .rfc8785
        }
    }

    public var description: String { "v\(rawValue)" }
}
