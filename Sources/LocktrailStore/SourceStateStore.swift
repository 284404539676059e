public import LocktrailCore

/// The collector's door to the log: a source's state in, a cycle's plan out. Implementations own
/// their connections and never block the cooperative pool (`SourceStore` on PostgreSQL).
public protocol SourceStateStore: Sendable {
    /// Registers `source` if it is new and returns what its next cycle starts from.
    func load(_ source: String, kind: SourceKind) async throws -> CycleStart
    /// Commits `plan` in one transaction: its events, snapshot changes, cursor and status, or
    /// throws `ConcurrentCycleError` (and commits nothing) when its fence no longer holds. A failed
    /// cycle's plan records the failure against the source; coverage does not advance, so its
    /// fence is not checked (a failure moves nothing on).
    @discardableResult
    func commit(_ plan: CyclePlan) async throws -> AppendOutcome
    /// Records, in one transaction, how far a queue was read for sources that had nothing to
    /// commit from the receive (`reads` by source name; a source's own commits carry theirs in
    /// `SourceCursor.queueRead`). Under a lease (`fence.leaseToken`) it throws `LeaseLostError`
    /// and records nothing when the queue changed hands.
    func recordQueueReads(_ reads: [String: QueueRead], fence: OwnershipFence) async throws
    /// Brings the derived holds and writes up to the log's head.
    func catchUpDerivation() async throws
}
