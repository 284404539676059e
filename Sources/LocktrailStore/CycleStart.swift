public import LocktrailCore

/// What a cycle starts from: the source's coverage and its stored snapshot.
public struct CycleStart: Sendable {
    /// The source's coverage and failures.
    public var checkpoint: SourceCheckpoint
    /// What the last committed cycle saw, by item key.
    public var snapshot: [String: SnapshotEntry]
    /// The stream the source reads and its shard positions; nil when it reads none.
    public var stream: StreamCheckpoint?

    /// A starting point.
    public init(checkpoint: SourceCheckpoint, snapshot: [String: SnapshotEntry], stream: StreamCheckpoint? = nil) {
        self.checkpoint = checkpoint
        self.snapshot = snapshot
        self.stream = stream
    }
}
