public import LocktrailCore

/// What a cycle starts from: the source's coverage and its stored snapshot.
public struct CycleStart: Sendable {
    /// The source's coverage and failures.
    public var checkpoint: SourceCheckpoint
    /// What the last committed cycle saw, by item key.
    public var snapshot: [String: SnapshotEntry]

    /// A starting point.
    public init(checkpoint: SourceCheckpoint, snapshot: [String: SnapshotEntry]) {
        self.checkpoint = checkpoint
        self.snapshot = snapshot
    }
}
