/// What the log holds about the stream a lock-table source reads: which stream, since when, how
/// far every shard was read, and the last committed position of each shard of that stream.
public struct StreamCheckpoint: Hashable, Sendable {
    /// The stream's ARN.
    public var streamARN: String
    /// When the source began reading it: older records belong to the scans before.
    public var attachedAt: Timestamp
    /// Every shard was read to its end at this time.
    public var readThrough: Timestamp
    /// Changes reconciliation found that the stream had not delivered, since it was attached.
    public var repairs: Int
    /// The last committed sequence number of each shard of this stream.
    public var positions: [String: String]
    /// Shards closed and read to their end.
    public var finished: Set<String>

    /// A checkpoint.
    public init(
        streamARN: String, attachedAt: Timestamp, readThrough: Timestamp, repairs: Int = 0,
        positions: [String: String] = [:], finished: Set<String> = []
    ) {
        self.streamARN = streamARN
        self.attachedAt = attachedAt
        self.readThrough = readThrough
        self.repairs = repairs
        self.positions = positions
        self.finished = finished
    }

    /// The checkpoint once `cursor` is committed (the store does the same in SQL).
    public func advanced(by cursor: SourceCursor) -> StreamCheckpoint {
        var next = self
        if let attachment = cursor.stream {
            if attachment.restarts || attachment.streamARN != streamARN { (next.positions, next.finished, next.repairs) = ([:], [], 0) }
            next.streamARN = attachment.streamARN
            next.attachedAt = attachment.attachedAt
            next.readThrough = attachment.readThrough
            next.repairs += attachment.repaired
        }
        for position in cursor.shardPositions where position.streamARN == next.streamARN {
            next.positions[position.shardID] = position.sequenceNumber
            if position.finished { next.finished.insert(position.shardID) }
        }
        return next
    }
}
