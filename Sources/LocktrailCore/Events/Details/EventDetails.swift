/// The typed `details` of one family of event kinds: what its members are, by the names
/// docs/events.md gives them, and the JSON object they are stored and hashed as.
///
/// `Event.details` stays a JSON object, the record of truth: the log holds every event written
/// since the first version (hooks may add members of their own), and `verify` re-encodes what
/// is stored. These types are how locktrail *writes* details: each member is named once, in
/// `Member`, so a misspelt member does not compile, and `EventDetailsTests` checks that every
/// member is documented for every kind that carries it.
public protocol EventDetails: Sendable {
    /// The members these details may write.
    associatedtype Member: RawRepresentable, CaseIterable where Member.RawValue == String
    /// The kinds whose events carry these details.
    static var kinds: [EventKind] { get }
    /// Members the details of these kinds may also carry from where they were observed
    /// (`ObservationContext`), beyond their own.
    static var contextMembers: [String] { get }
    /// The JSON object stored as the event's `details`.
    var object: [String: JSONValue] { get }
}

extension EventDetails {
    /// Every member name these details may write: their own and their context's.
    public static var memberNames: [String] { Member.allCases.map(\.rawValue) + contextMembers }

    public static var contextMembers: [String] { [] }
}

/// A JSON object written through one type's member names only.
struct DetailsObject<Member: RawRepresentable> where Member.RawValue == String {
    private(set) var object: [String: JSONValue] = [:]

    init(_ object: [String: JSONValue] = [:]) { self.object = object }

    /// Sets `member` (a nil optional is stored as null: the member is present).
    subscript(_ member: Member) -> JSONValue? {
        get { object[member.rawValue] }
        set { object[member.rawValue] = newValue }
    }

    /// Sets `member` when `value` is not nil; leaves it out otherwise.
    mutating func setIfPresent(_ member: Member, _ value: JSONValue?) {
        if let value { object[member.rawValue] = value }
    }

    /// Sets `member` to `true` when `flag` holds; leaves it out otherwise.
    mutating func flag(_ member: Member, _ flag: Bool) {
        if flag { object[member.rawValue] = .bool(true) }
    }

    /// Adds `other`'s members, keeping this one's where both have one.
    mutating func merge(_ other: [String: JSONValue]) {
        object.merge(other) { own, _ in own }
    }
}
