/// The details of `state.digest_removed`: the digest the `-md5` item had, and where it was seen.
public struct DigestRemovedDetails: EventDetails, Hashable {
    /// The members of its own, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case previousDigest = "previous_digest", timeBasis = "time_basis"
    }

    public static let kinds: [EventKind] = [.stateDigestRemoved]
    public static var contextMembers: [String] { ObservationContext.memberNames }

    /// Where it was seen.
    public var context: ObservationContext
    /// The digest the item had.
    public var previousDigest: String
    /// What the event's time rests on.
    public var timeBasis: TimeBasis?

    /// Details.
    public init(context: ObservationContext, previousDigest: String, timeBasis: TimeBasis? = nil) {
        self.context = context
        self.previousDigest = previousDigest
        self.timeBasis = timeBasis
    }

    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>(context.object)
        d[.previousDigest] = .string(previousDigest)
        d.setIfPresent(.timeBasis, timeBasis?.json)
        return d.object
    }
}
