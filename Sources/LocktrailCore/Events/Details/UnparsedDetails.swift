/// The details of `observation.unparsed`: what was seen that is not a lock record or digest, why,
/// and where (the raw observation is the event's `raw`).
public struct UnparsedDetails: EventDetails, Hashable {
    /// The members of its own, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case reason
        case itemKind = "item_kind", timeBasis = "time_basis"
    }

    /// What kind of thing was seen.
    public enum ItemKind: String, Hashable, Sendable, CaseIterable {
        /// A lock item whose `Info` is not a lock record.
        case lock
        /// A lock-table item that is neither a lock nor a digest.
        case other
        /// A lock file (or version) whose body is not a lock record, or that could not be read.
        case lockFile = "lock_file"
        /// A lock file's delete marker with no version before it.
        case deleteMarker = "delete_marker"
        /// A stream record that cannot be read as a change.
        case streamRecord = "stream_record"
    }

    public static let kinds: [EventKind] = [.observationUnparsed]
    public static var contextMembers: [String] { ObservationContext.memberNames }

    /// Where it was seen.
    public var context: ObservationContext
    /// Why it is kept raw.
    public var reason: String
    /// What it was.
    public var itemKind: ItemKind
    /// What the event's time rests on.
    public var timeBasis: TimeBasis?

    /// Details.
    public init(context: ObservationContext, reason: String, itemKind: ItemKind, timeBasis: TimeBasis? = nil) {
        self.context = context
        self.reason = reason
        self.itemKind = itemKind
        self.timeBasis = timeBasis
    }

    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>(context.object)
        d[.reason] = .string(reason)
        d[.itemKind] = .string(itemKind.rawValue)
        d.setIfPresent(.timeBasis, timeBasis?.json)
        return d.object
    }
}
