/// The details of `lock.acquired` and `lock.released`: the lock record's facts, where the lock
/// was seen, what its time rests on, and for a release why it ended.
public struct LockChangeDetails: EventDetails, Hashable {
    /// The members of its own, as docs/events.md names them (the record's are `LockRecordFacts.Member`).
    public enum Member: String, CaseIterable, Sendable {
        case timeBasis = "time_basis", reason
        case replacedBy = "replaced_by", releasedVersionID = "released_version_id"
        case pathMismatch = "path_mismatch", unparsed
    }

    /// Why a lock was released.
    public enum ReleaseReason: String, Hashable, Sendable, CaseIterable {
        /// The item or object is gone.
        case disappeared
        /// Another lock (or another version) took its place.
        case replaced
        /// A delete marker on the lock file.
        case deleteMarker = "delete_marker"
    }

    public static let kinds: [EventKind] = [.lockAcquired, .lockReleased]
    public static var contextMembers: [String] { LockRecordFacts.Member.allCases.map(\.rawValue) + ObservationContext.memberNames }

    /// Where the lock was seen.
    public var context: ObservationContext
    /// The record; nil when a released lock's body was not a record (`unparsed: true`).
    public var record: LockRecord?
    /// What the event's time rests on.
    public var timeBasis: TimeBasis?
    /// Why a release ended the lock.
    public var reason: ReleaseReason?
    /// The lock ID that replaced a released lock.
    public var replacedBy: String?
    /// The lock file's version a delete marker (or an overwrite) released.
    public var releasedVersionID: String?
    /// Whether the record's `Path` names another state than where it was found.
    public var pathMismatch: Bool

    /// Details.
    public init(
        context: ObservationContext, record: LockRecord?, timeBasis: TimeBasis? = nil, reason: ReleaseReason? = nil,
        replacedBy: String? = nil, releasedVersionID: String? = nil, pathMismatch: Bool = false
    ) {
        self.context = context
        self.record = record
        self.timeBasis = timeBasis
        self.reason = reason
        self.replacedBy = replacedBy
        self.releasedVersionID = releasedVersionID
        self.pathMismatch = pathMismatch
    }

    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>(context.object)
        d.setIfPresent(.timeBasis, timeBasis?.json)
        d.setIfPresent(.reason, reason.map { .string($0.rawValue) })
        d.setIfPresent(.replacedBy, replacedBy.map(JSONValue.string))
        d.setIfPresent(.releasedVersionID, releasedVersionID.map(JSONValue.string))
        d.flag(.pathMismatch, pathMismatch)
        if let record { d.merge(LockRecordFacts(record).object) } else { d[.unparsed] = .bool(true) }
        return d.object
    }
}
