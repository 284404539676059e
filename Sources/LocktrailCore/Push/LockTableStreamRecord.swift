/// One DynamoDB stream record of a lock table without AWS types: what the stream rules read.
/// The images are items as a scan would read them, so both rule sets see the same attributes.
public struct LockTableStreamRecord: Hashable, Sendable {
    /// What happened to the item.
    public enum Change: String, Hashable, Sendable {
        /// The item was created.
        case insert = "INSERT"
        /// An existing item was changed.
        case modify = "MODIFY"
        /// The item was deleted.
        case remove = "REMOVE"
    }

    /// The stream's ARN (a new ARN is a new stream: its sequence numbers start again).
    public var streamARN: String
    /// The shard the record was read from.
    public var shardID: String?
    /// Orders records within a shard; with the stream ARN it identifies the record.
    public var sequenceNumber: String
    /// The record's own id, kept for reference.
    public var eventID: String?
    /// `eventName` as sent: `INSERT`, `MODIFY`, `REMOVE`.
    public var eventName: String
    /// `ApproximateCreationDateTime` in seconds since the epoch, as sent.
    public var approximateCreationSeconds: Double?
    /// The key attributes (`LockID`).
    public var keys: LockTableItem
    /// The item after the change, when the view carries it.
    public var newImage: LockTableItem?
    /// The item before the change, when the view carries it.
    public var oldImage: LockTableItem?
    /// `userIdentity.principalId`: DynamoDB sets it only on its own deletions, by TTL
    /// (`dynamodb.amazonaws.com`); nil for every change a client made.
    public var principal: String?

    /// A record.
    public init(
        streamARN: String, shardID: String? = nil, sequenceNumber: String, eventID: String? = nil, eventName: String,
        approximateCreationSeconds: Double?, keys: LockTableItem, newImage: LockTableItem? = nil, oldImage: LockTableItem? = nil,
        principal: String? = nil
    ) {
        self.streamARN = streamARN
        self.shardID = shardID
        self.sequenceNumber = sequenceNumber
        self.eventID = eventID
        self.eventName = eventName
        self.approximateCreationSeconds = approximateCreationSeconds
        self.keys = keys
        self.newImage = newImage
        self.oldImage = oldImage
        self.principal = principal
    }

    /// The change, if `eventName` is one of the three DynamoDB sends.
    public var change: Change? { Change(rawValue: eventName) }

    /// The item's `LockID`, from the keys or either image.
    public var lockID: String? { keys.lockID ?? newImage?.lockID ?? oldImage?.lockID }
}
