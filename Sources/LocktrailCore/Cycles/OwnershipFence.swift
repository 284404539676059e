/// The condition under which the store accepts a cycle's commit: the collector that planned it
/// must still own the source.
///
/// Two checks, both made by the store in the commit transaction with the source's rows locked:
/// the source's coverage must still be `coverage` (no other collector committed a cycle since
/// the plan's checkpoint was read; the cycle is redone), and, for a plan made under a lease
/// (`Lease`), the source's current lease (or `leaseName`'s) must still carry `leaseToken` — a collector whose
/// source was taken over while it observed finds out here, before anything is written.
public struct OwnershipFence: Hashable, Sendable {
    /// The source's coverage (`lastScanCompleted`) the plan was made from; nil when never observed.
    public var coverage: Timestamp?
    /// The fencing token of the lease the planning collector holds on the source; nil for a
    /// cycle run without a lease (`collect --once`), which only the coverage check fences.
    public var leaseToken: UInt64?
    /// The lease `leaseToken` belongs to when it is not the source's own: a queue listener's
    /// (`queue:URL`), which owns every bucket source its queue serves; nil for the source's.
    public var leaseName: String?

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
