/// What `locktrail unlock` does once it has read the lock as it is now.
public enum UnlockDecision: Hashable, Sendable {
    /// No mechanism holds a lock on the state: record `event` and stop.
    case notFound(event: Event)
    /// The state is held by `other`, not the lock asked for: record `event` and stop.
    case heldByOther(other: LockRecord, event: Event)
    /// The lock is too young or its holder alive: record `event` and stop.
    case refuse(UnlockAssessment, reason: String, event: Event)
    /// `--dry-run`: show the removal, change nothing and record nothing.
    case dryRun(UnlockAssessment)
    /// Remove the lock from `assessment.removalOrder`, then record what was removed
    /// (`UnlockPolicy.removalEvent`).
    case remove(UnlockAssessment)

    /// The outcome the decision records, nil while a removal is still to be tried (or never, for a dry run).
    public var outcome: UnlockOutcome? {
        switch self {
        case .notFound: return .notFound
        case .heldByOther: return .heldByOther
        case .refuse: return .refused
        case .dryRun, .remove: return nil
        }
    }
}
