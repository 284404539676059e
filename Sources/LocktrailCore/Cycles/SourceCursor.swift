/// How a cycle moves a source's position on, besides its events: what the next cycle starts from.
///
/// A polling source's position is its snapshot; the changes to it travel with the events in the
/// plan's batches, and the cursor only says whether the old snapshot is forgotten first. Push
/// sources add their own positions: a change stream's shard positions, stored in the commit
/// transaction, and a queue's receipts, deleted from the queue only after the commit succeeded
/// (a crash between the two redelivers messages whose events are then duplicates: a no-op).
public struct SourceCursor: Hashable, Sendable {
    /// A position in one shard of a change stream (DynamoDB Streams), keyed by the stream's ARN
    /// and the shard: a stream disabled and enabled again is a new ARN whose sequence numbers
    /// start again (the emulator even reuses the shard id), so a shard id alone names nothing.
    public struct ShardPosition: Hashable, Sendable {
        /// The stream's ARN; a position without one cannot be kept (the store refuses it).
        public var streamARN: String
        /// The shard.
        public var shardID: String
        /// The last record of the shard whose events the plan holds.
        public var sequenceNumber: String
        /// The position the plan read from (nil: the shard had none): the store refuses the
        /// commit when the stored position is another, as another reader of the shard moved it.
        public var previous: String?
        /// Whether the shard is closed and read to its end (its children may be read).
        public var finished: Bool

        /// A position.
        public init(streamARN: String = "", shardID: String, sequenceNumber: String, previous: String? = nil, finished: Bool = false) {
            self.streamARN = streamARN
            self.shardID = shardID
            self.sequenceNumber = sequenceNumber
            self.previous = previous
            self.finished = finished
        }
    }

    /// Which stream a source reads, kept with its positions: the ARN, since when it is read
    /// (records older than that belong to the scans before), how far every shard was read, and
    /// how many changes reconciliation found that the stream had not delivered.
    public struct StreamAttachment: Hashable, Sendable {
        /// The stream's ARN; attaching another forgets the positions of the one before.
        public var streamARN: String
        /// When the source began reading this stream.
        public var attachedAt: Timestamp
        /// Every shard was read to its end at this time (a checkpoint older than the stream's
        /// 24-hour retention cannot be resumed).
        public var readThrough: Timestamp
        /// Changes reconciliation repaired in this plan (added to the source's count).
        public var repaired: Int
        /// Whether reading starts again (attached now): every stored position is forgotten first.
        public var restarts: Bool

        /// An attachment.
        public init(streamARN: String, attachedAt: Timestamp, readThrough: Timestamp, repaired: Int = 0, restarts: Bool = false) {
            self.streamARN = streamARN
            self.attachedAt = attachedAt
            self.readThrough = readThrough
            self.repaired = repaired
            self.restarts = restarts
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
    /// The stream the source reads, stored with the positions; nil leaves what is stored.
    public var stream: StreamAttachment?
    /// How far the queue that delivered this cycle's notices was read for the source, stored with
    /// its events (the queue's push lag); nil leaves what is stored.
    public var queueRead: QueueRead?

    /// A cursor.
    public init(
        resetsSnapshot: Bool = false, shardPositions: [ShardPosition] = [], receipts: [QueueReceipt] = [],
        stream: StreamAttachment? = nil, queueRead: QueueRead? = nil
    ) {
        self.resetsSnapshot = resetsSnapshot
        self.shardPositions = shardPositions
        self.receipts = receipts
        self.stream = stream
        self.queueRead = queueRead
    }

    /// A polling source's cursor: the snapshot changes in the batches, applied to the stored snapshot.
    public static let snapshot = SourceCursor()
}
