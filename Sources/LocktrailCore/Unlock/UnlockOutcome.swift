/// How an unlock attempt ended, as recorded in the `outcome` of its `lock.force_unlocked` event.
public enum UnlockOutcome: String, Hashable, Sendable, CaseIterable {
    /// No mechanism held a lock on the state.
    case notFound = "not_found"
    /// The state is held by a different lock ID.
    case heldByOther = "held_by_other"
    /// The lock is too young or its holder alive, and `--force` was not given.
    case refused
    /// The lock changed between the check and the removal; what was not yet removed stays.
    case changed
    /// The lock was removed.
    case removed

    /// The exit code `locktrail unlock` documents: 0 removed, 2 refused, 3 not found, held by
    /// another or changed.
    public var exitCode: Int32 {
        switch self {
        case .removed: return 0
        case .refused: return 2
        case .notFound, .heldByOther, .changed: return 3
        }
    }
}
