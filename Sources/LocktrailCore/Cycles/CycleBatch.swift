/// One chunk of a cycle's commit: events to append and the snapshot changes they go with.
public struct CycleBatch: Sendable {
    /// Events, in the order they are appended.
    public var events: [Event]
    /// Snapshot entries new or changed.
    public var upserts: [(key: String, entry: SnapshotEntry)]
    /// Snapshot keys gone.
    public var deletions: [String]

    /// A batch of `events` before `diff`'s events, with `diff`'s snapshot changes.
    public init(events: [Event] = [], diff: SnapshotDiff = SnapshotDiff()) {
        self.events = events + diff.events
        self.upserts = diff.upserts
        self.deletions = diff.deletions
    }

    /// Whether the batch changes nothing.
    public var isEmpty: Bool { events.isEmpty && upserts.isEmpty && deletions.isEmpty }
}
