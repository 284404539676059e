/// What one read of a lock table's stream returned, without AWS types: per shard, in lineage
/// order, the records after the stored position and where the shard now stands.
public struct StreamReading: Sendable {
    /// One shard's part of the read.
    public struct Shard: Sendable {
        /// The shard.
        public var id: String
        /// Its records, in sequence-number order.
        public var records: [LockTableStreamRecord]
        /// The stored position the read started after (nil: from the oldest record kept).
        public var previous: String?
        /// The last sequence number read (the new position); nil when nothing was ever read.
        public var last: String?
        /// Whether the shard is closed and now read to its end.
        public var finished: Bool
        /// `ApproximateCreationDateTime` of the record at `previous`, when the reader knows it:
        /// every record after it was written after that record's second began.
        public var previousRecordSeconds: Double?

        /// A shard's read.
        public init(
            id: String, records: [LockTableStreamRecord], previous: String?, last: String?, finished: Bool = false,
            previousRecordSeconds: Double? = nil
        ) {
            self.id = id
            self.records = records
            self.previous = previous
            self.last = last
            self.finished = finished
            self.previousRecordSeconds = previousRecordSeconds
        }
    }

    /// The stream read.
    public var streamARN: String
    /// Shards in read order (a parent before its children).
    public var shards: [Shard]
    /// When the read ended.
    public var completed: Timestamp
    /// Whether records remain that this read left for the next (it stops at a budget).
    public var hasMore: Bool

    /// A read.
    public init(streamARN: String, shards: [Shard], completed: Timestamp, hasMore: Bool = false) {
        self.streamARN = streamARN
        self.shards = shards
        self.completed = completed
        self.hasMore = hasMore
    }

    /// Records read, all shards.
    public var recordCount: Int { shards.reduce(0) { $0 + $1.records.count } }

    /// The positions to commit: every shard that moved or finished.
    public var positions: [SourceCursor.ShardPosition] {
        shards.compactMap { shard in
            guard let last = shard.last, last != shard.previous || shard.finished else { return nil }
            return SourceCursor.ShardPosition(
                streamARN: streamARN, shardID: shard.id, sequenceNumber: last, previous: shard.previous,
                finished: shard.finished)
        }
    }
}
