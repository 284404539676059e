/// The details of the `lock.force_unlocked` event `locktrail unlock` records: who asked, why, what
/// came of it, and the lock as it was held.
public struct UnlockAttemptDetails: EventDetails, Hashable {
    /// The members, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case actor, reason, outcome, mechanisms, forced, tool, holder, note
    }

    public static let kinds: [EventKind] = [.lockForceUnlocked]

    /// Who ran it.
    public var actor: String
    /// The `--reason`.
    public var reason: String
    /// What came of it.
    public var outcome: UnlockOutcome
    /// The mechanisms it was removed from (or held in, for a refusal).
    public var mechanisms: [Mechanism]
    /// Whether `--force` was given.
    public var forced: Bool
    /// The lock's record as it was held, when it was found.
    public var holder: LockRecord?
    /// What else to know (a refusal's reason, what `--force` went past).
    public var note: String?

    /// The tool that records these details.
    public static let tool = "locktrail unlock"

    /// Details.
    public init(
        actor: String, reason: String, outcome: UnlockOutcome, mechanisms: [Mechanism], forced: Bool,
        holder: LockRecord?, note: String?
    ) {
        self.actor = actor
        self.reason = reason
        self.outcome = outcome
        self.mechanisms = mechanisms
        self.forced = forced
        self.holder = holder
        self.note = note
    }

    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>()
        d[.actor] = .string(actor)
        d[.reason] = .string(reason)
        d[.outcome] = .string(outcome.rawValue)
        d[.mechanisms] = .array(mechanisms.map { .string($0.rawValue) })
        d[.forced] = .bool(forced)
        d[.tool] = .string(Self.tool)
        d.setIfPresent(.holder, holder.map { .object(LockRecordFacts($0).object) })
        d.setIfPresent(.note, note.map(JSONValue.string))
        return d.object
    }
}
