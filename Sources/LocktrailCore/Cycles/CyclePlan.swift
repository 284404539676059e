/// Everything one cycle of a source decided, for the store to commit in one transaction: the
/// events and snapshot changes (in batches), how the source's cursor moves, the source's status
/// afterwards, and the fence that makes the commit fail if the source changed hands meanwhile.
/// Planners are pure: the same checkpoint, snapshot and observation give the same plan.
public struct CyclePlan: Sendable {
    /// The source.
    public var source: String
    /// The commit is refused unless the source is still as the plan found it.
    public var fence: OwnershipFence
    /// How the cycle ended.
    public var status: CycleStatus
    /// How the source's position moves.
    public var cursor: SourceCursor
    /// Events and snapshot changes, in commit order.
    public var batches: CycleBatches
    /// Whether the plan records a `source.coverage_gap`.
    public var recordsGap: Bool

    /// A plan.
    public init(
        source: String, fence: OwnershipFence, status: CycleStatus, cursor: SourceCursor = .snapshot,
        batches: CycleBatches = CycleBatches(), recordsGap: Bool = false
    ) {
        self.source = source
        self.fence = fence
        self.status = status
        self.cursor = cursor
        self.batches = batches
        self.recordsGap = recordsGap
    }

    /// The plan of a cycle whose observation failed at `time`: no events, no snapshot change,
    /// coverage stays (the lapse becomes a coverage gap when an observation succeeds again).
    public static func failed(source: String, checkpoint: SourceCheckpoint, message: String, at time: Timestamp) -> CyclePlan {
        CyclePlan(source: source, fence: OwnershipFence(planningFrom: checkpoint), status: .failed(message: message, at: time))
    }

    /// Every event of every batch, in order (computes every batch: for tests and small plans).
    public var events: [Event] { batches.flatMap(\.events) }
}
