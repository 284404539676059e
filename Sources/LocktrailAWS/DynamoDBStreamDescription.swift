/// One DescribeStream page: the stream's status and a page of its shards.
public struct DynamoDBStreamDescription: Sendable, Decodable {
    /// The stream ARN.
    public var streamARN: String
    /// `ENABLING`, `ENABLED`, `DISABLING` or `DISABLED`.
    public var status: String?
    /// What the records carry.
    public var viewType: DynamoDBStreamViewType?
    /// The table the stream belongs to.
    public var tableName: String?
    /// The shards on this page.
    public var shards: [DynamoDBStreamShard]
    /// Where the next page starts (`ExclusiveStartShardId`); nil on the last page.
    public var lastEvaluatedShardID: String?

    private enum CodingKeys: String, CodingKey {
        case StreamArn, StreamStatus, StreamViewType, TableName, Shards, LastEvaluatedShardId
    }

    /// Decodes the AWS shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        streamARN = try container.decode(String.self, forKey: .StreamArn)
        status = try container.decodeIfPresent(String.self, forKey: .StreamStatus)
        viewType = try container.decodeIfPresent(String.self, forKey: .StreamViewType).map(DynamoDBStreamViewType.init(rawValue:))
        tableName = try container.decodeIfPresent(String.self, forKey: .TableName)
        shards = try container.decodeIfPresent([DynamoDBStreamShard].self, forKey: .Shards) ?? []
        lastEvaluatedShardID = try container.decodeIfPresent(String.self, forKey: .LastEvaluatedShardId)
    }
}

/// One shard of a stream: its lineage and the sequence numbers it holds.
public struct DynamoDBStreamShard: Sendable, Hashable, Decodable {
    /// The shard id.
    public var shardID: String
    /// The shard it was split from; its records come before this shard's. nil for a first shard.
    public var parentShardID: String?
    /// The first sequence number in the shard.
    public var startingSequenceNumber: String?
    /// The last sequence number; present only once the shard is closed (it receives nothing more).
    public var endingSequenceNumber: String?

    /// A shard.
    public init(shardID: String, parentShardID: String? = nil, startingSequenceNumber: String? = nil, endingSequenceNumber: String? = nil) {
        self.shardID = shardID
        self.parentShardID = parentShardID
        self.startingSequenceNumber = startingSequenceNumber
        self.endingSequenceNumber = endingSequenceNumber
    }

    /// Whether the shard is closed.
    public var isClosed: Bool { endingSequenceNumber != nil }

    private enum CodingKeys: String, CodingKey { case ShardId, ParentShardId, SequenceNumberRange }
    private struct Range: Decodable {
        var StartingSequenceNumber: String?
        var EndingSequenceNumber: String?
    }

    /// Decodes the AWS shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        shardID = try container.decode(String.self, forKey: .ShardId)
        parentShardID = try container.decodeIfPresent(String.self, forKey: .ParentShardId)
        let range = try container.decodeIfPresent(Range.self, forKey: .SequenceNumberRange)
        startingSequenceNumber = range?.StartingSequenceNumber
        endingSequenceNumber = range?.EndingSequenceNumber
    }
}

/// Where a shard iterator starts.
public enum DynamoDBShardIteratorPosition: Sendable, Hashable {
    /// The oldest record still kept (records stay 24 hours).
    case trimHorizon
    /// After the newest record: only what is written from now on.
    case latest
    /// At this sequence number (the record is read again).
    case atSequenceNumber(String)
    /// Just after this sequence number: how a reader resumes after its last record.
    case afterSequenceNumber(String)

    /// `ShardIteratorType` as AWS spells it.
    public var type: String {
        switch self {
        case .trimHorizon: "TRIM_HORIZON"
        case .latest: "LATEST"
        case .atSequenceNumber: "AT_SEQUENCE_NUMBER"
        case .afterSequenceNumber: "AFTER_SEQUENCE_NUMBER"
        }
    }

    /// The sequence number the position names, if any.
    public var sequenceNumber: String? {
        switch self {
        case .trimHorizon, .latest: nil
        case .atSequenceNumber(let number), .afterSequenceNumber(let number): number
        }
    }
}
