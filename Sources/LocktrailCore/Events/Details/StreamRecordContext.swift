/// The stream record an event of a DynamoDB stream comes from.
public struct StreamRecordContext: Hashable, Sendable {
    /// The lock table.
    public var table: String
    /// The stream's ARN.
    public var streamARN: String
    /// The record's sequence number.
    public var sequenceNumber: String
    /// `eventName` as sent: `INSERT`, `MODIFY`, `REMOVE`.
    public var streamEvent: String
    /// The record's own id.
    public var eventID: String?
    /// The shard it was read from.
    public var shardID: String?
    /// `ApproximateCreationDateTime`, when usable.
    public var approximateCreation: Timestamp?
    /// Who removed the item, when DynamoDB says (a TTL expiry: `dynamodb.amazonaws.com`).
    public var removedBy: String?

    /// A record's context.
    public init(
        table: String, streamARN: String, sequenceNumber: String, streamEvent: String, eventID: String?, shardID: String?,
        approximateCreation: Timestamp?, removedBy: String?
    ) {
        self.table = table
        self.streamARN = streamARN
        self.sequenceNumber = sequenceNumber
        self.streamEvent = streamEvent
        self.eventID = eventID
        self.shardID = shardID
        self.approximateCreation = approximateCreation
        self.removedBy = removedBy
    }
}
