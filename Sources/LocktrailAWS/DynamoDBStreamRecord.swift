import Foundation

/// One stream record: a change to one item, with the images the stream's view type carries.
public struct DynamoDBStreamRecord: Sendable, Hashable, Decodable {
    /// The record's unique id.
    public var eventID: String?
    /// `INSERT`, `MODIFY` or `REMOVE`.
    public var eventName: String
    /// Orders records within a shard and, with the stream ARN, identifies the record.
    public var sequenceNumber: String
    /// `ApproximateCreationDateTime` in seconds since the epoch, as sent: AWS documents it as
    /// rounded down to the second; the emulator sends milliseconds. nil when absent.
    public var approximateCreationSeconds: Double?
    /// The key attributes of the item.
    public var keys: DynamoDBItem
    /// The item after the change (INSERT, MODIFY), when the view type carries it.
    public var newImage: DynamoDBItem?
    /// The item before the change (MODIFY, REMOVE), when the view type carries it.
    public var oldImage: DynamoDBItem?
    /// The view type the record was written with.
    public var viewType: DynamoDBStreamViewType?
    /// `userIdentity.principalId` when DynamoDB itself made the change (TTL expiry: `dynamodb.amazonaws.com`).
    public var userIdentityPrincipal: String?

    /// A record.
    public init(
        eventID: String?, eventName: String, sequenceNumber: String, approximateCreationSeconds: Double?,
        keys: DynamoDBItem, newImage: DynamoDBItem? = nil, oldImage: DynamoDBItem? = nil,
        viewType: DynamoDBStreamViewType? = nil, userIdentityPrincipal: String? = nil
    ) {
        self.eventID = eventID
        self.eventName = eventName
        self.sequenceNumber = sequenceNumber
        self.approximateCreationSeconds = approximateCreationSeconds
        self.keys = keys
        self.newImage = newImage
        self.oldImage = oldImage
        self.viewType = viewType
        self.userIdentityPrincipal = userIdentityPrincipal
    }

    private enum CodingKeys: String, CodingKey { case eventID, eventName, dynamodb, userIdentity }
    private enum ChangeKeys: String, CodingKey {
        case ApproximateCreationDateTime, SequenceNumber, Keys, NewImage, OldImage, StreamViewType
    }
    private struct Identity: Decodable { var principalId: String? }

    /// Decodes the AWS shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        eventID = try container.decodeIfPresent(String.self, forKey: .eventID)
        eventName = try container.decode(String.self, forKey: .eventName)
        userIdentityPrincipal = try container.decodeIfPresent(Identity.self, forKey: .userIdentity)?.principalId
        let change = try container.nestedContainer(keyedBy: ChangeKeys.self, forKey: .dynamodb)
        sequenceNumber = try change.decode(String.self, forKey: .SequenceNumber)
        approximateCreationSeconds = try change.decodeIfPresent(Double.self, forKey: .ApproximateCreationDateTime)
        keys = try change.decodeIfPresent(DynamoDBItem.self, forKey: .Keys) ?? [:]
        newImage = try change.decodeIfPresent(DynamoDBItem.self, forKey: .NewImage)
        oldImage = try change.decodeIfPresent(DynamoDBItem.self, forKey: .OldImage)
        viewType = try change.decodeIfPresent(String.self, forKey: .StreamViewType).map(DynamoDBStreamViewType.init(rawValue:))
    }
}

/// One GetRecords answer.
public struct DynamoDBStreamRecordsPage: Sendable {
    /// The records, in sequence-number order; empty does not mean the shard is finished.
    public var records: [DynamoDBStreamRecord]
    /// The iterator for the next call; nil once a closed shard has been read to its end.
    public var nextShardIterator: String?

    /// A page.
    public init(records: [DynamoDBStreamRecord], nextShardIterator: String?) {
        self.records = records
        self.nextShardIterator = nextShardIterator
    }
}
