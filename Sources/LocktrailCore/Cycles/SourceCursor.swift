/// How a cycle moves a source's position on, besides its events: what the next cycle starts from.
///
/// A polling source's position is its snapshot; the changes to it travel with the events in the
/// plan's batches, and the cursor only says whether the old snapshot is forgotten first. Push
/// sources add their own positions: a change stream's shard positions, stored in the commit
/// transaction, and a queue's receipts, deleted from the queue only after the commit succeeded
/// (a crash between the two redelivers messages whose events are then duplicates: a no-op).
public struct SourceCursor: Hashable, Sendable {
    /// A position in one shard of a change stream (DynamoDB Streams).
    public struct ShardPosition: Hashable, Sendable {
        /// The shard.
        public var shardID: String
        /// The last record of the shard whose events the plan holds.
        public var sequenceNumber: String

        /// A position.
        public init(shardID: String, sequenceNumber: String) {
            self.shardID = shardID
            self.sequenceNumber = sequenceNumber
        }
    }

    /// A queue message the plan consumed (S3 event notifications through SQS).
    public struct QueueReceipt: Hashable, Sendable {
        /// The queue's URL.
        public var queue: String
        /// The receipt handle to delete the message with.
        public var receiptHandle: String

        /// A receipt.
        public init(queue: String, receiptHandle: String) {
            self.queue = queue
            self.receiptHandle = receiptHandle
        }
    }

    /// Forget the stored snapshot before applying this cycle's changes (a lock table deleted or
    /// restored, a bucket that changed between versioned and listing mode).
    public var resetsSnapshot: Bool
    /// Shard positions reached; empty for polling sources.
    public var shardPositions: [ShardPosition]
    /// Queue messages to delete once the plan is committed; empty for polling sources.
    public var receipts: [QueueReceipt]

    /// A cursor.
    public init(resetsSnapshot: Bool = false, shardPositions: [ShardPosition] = [], receipts: [QueueReceipt] = []) {
        self.resetsSnapshot = resetsSnapshot
        self.shardPositions = shardPositions
        self.receipts = receipts
    }

    /// A polling source's cursor: the snapshot changes in the batches, applied to the stored snapshot.
    public static let snapshot = SourceCursor()
}
