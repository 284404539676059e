/// The condition under which the store accepts a cycle's commit: the collector that planned it
/// must still own the source.
///
/// Today ownership is optimistic: a plan is made from a checkpoint, and the store, holding the
/// source's row locked in the commit transaction, refuses the commit when the source's coverage
/// is no longer `coverage` (another collector committed a cycle meanwhile; the cycle is redone).
/// `leaseToken` is for leases (advisory locks, design.md "Beyond one machine"): a monotonically
/// growing token the store will compare with the source's current lease. No lease exists yet,
/// so a store refuses any plan that carries a token rather than pretend to check it.
public struct OwnershipFence: Hashable, Sendable {
    /// The source's coverage (`lastScanCompleted`) the plan was made from; nil when never observed.
    public var coverage: Timestamp?
    /// The fencing token of the lease the planning collector holds on the source; nil without leases.
    public var leaseToken: UInt64?

    /// A fence.
    public init(coverage: Timestamp?, leaseToken: UInt64? = nil) {
        self.coverage = coverage
        self.leaseToken = leaseToken
    }

    /// The fence of a plan made from `checkpoint`, by a collector holding the lease `leaseToken`.
    public init(planningFrom checkpoint: SourceCheckpoint, leaseToken: UInt64? = nil) {
        self.init(coverage: checkpoint.lastScanCompleted, leaseToken: leaseToken)
    }
}
