/// One shard as DescribeStream lists it, without AWS types.
public struct StreamShard: Hashable, Sendable {
    /// The shard id.
    public var id: String
    /// The shard it split from; nil for a first shard.
    public var parentID: String?
    /// The first sequence number it holds.
    public var startingSequenceNumber: String?
    /// The last sequence number; present once the shard is closed.
    public var endingSequenceNumber: String?

    /// A shard.
    public init(id: String, parentID: String? = nil, startingSequenceNumber: String? = nil, endingSequenceNumber: String? = nil) {
        self.id = id
        self.parentID = parentID
        self.startingSequenceNumber = startingSequenceNumber
        self.endingSequenceNumber = endingSequenceNumber
    }

    /// Whether the shard is closed (it receives nothing more).
    public var isClosed: Bool { endingSequenceNumber != nil }

    /// Whether a reader whose last record in this shard was `lastRead` has read all of it: only a
    /// closed shard can be finished, once its ending sequence number has been read (or the reader
    /// was told the shard ended: GetRecords gave no next iterator).
    public func isFinished(lastRead: String?, reachedEnd: Bool = false) -> Bool {
        guard let ending = endingSequenceNumber else { return false }
        if reachedEnd { return true }
        guard let lastRead else { return false }
        return StreamShardLineage.compare(lastRead, ending) != .orderedAscending
    }
}
