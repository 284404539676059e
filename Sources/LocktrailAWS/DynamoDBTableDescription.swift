/// The subset of DescribeTable/CreateTable output locktrail reads.
public struct DynamoDBTableDescription: Sendable, Decodable {
    /// The table name.
    public var tableName: String
    /// The table ARN (used in permission messages).
    public var tableARN: String?
    /// `CREATING`, `ACTIVE`, `DELETING`, ….
    public var tableStatus: String?
    /// Approximate item count (updated by AWS about every six hours).
    public var itemCount: Int?
    /// Partition (and sort) key names, partition first.
    public var keyNames: [String]
    /// The ARN of the table's newest stream; present even after the stream was disabled (until it expires).
    public var latestStreamARN: String?
    /// The newest stream's label (a timestamp); a new label means a new stream.
    public var latestStreamLabel: String?
    /// Whether a stream is on and what its records carry; nil when the table never had one.
    public var streamSpecification: DynamoDBStreamSpecification?

    private enum CodingKeys: String, CodingKey {
        case TableName, TableArn, TableStatus, ItemCount, KeySchema, LatestStreamArn, LatestStreamLabel, StreamSpecification
    }

    private struct KeyElement: Decodable {
        var AttributeName: String
        var KeyType: String
    }

    /// Decodes the AWS shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tableName = try container.decode(String.self, forKey: .TableName)
        tableARN = try container.decodeIfPresent(String.self, forKey: .TableArn)
        tableStatus = try container.decodeIfPresent(String.self, forKey: .TableStatus)
        itemCount = try container.decodeIfPresent(Int.self, forKey: .ItemCount)
        let schema = try container.decodeIfPresent([KeyElement].self, forKey: .KeySchema) ?? []
        keyNames = schema.sorted { $0.KeyType == "HASH" && $1.KeyType != "HASH" }.map(\.AttributeName)
        latestStreamARN = try container.decodeIfPresent(String.self, forKey: .LatestStreamArn)
        latestStreamLabel = try container.decodeIfPresent(String.self, forKey: .LatestStreamLabel)
        streamSpecification = try container.decodeIfPresent(DynamoDBStreamSpecification.self, forKey: .StreamSpecification)
    }

    /// The stream to read lock changes from: enabled, with both images (the only view whose REMOVE
    /// records still carry the lock record). nil when there is none or its view is another.
    public var readableStreamARN: String? {
        guard let streamSpecification, streamSpecification.enabled, streamSpecification.viewType == .newAndOldImages else { return nil }
        return latestStreamARN
    }
}

/// A table's `StreamSpecification`.
public struct DynamoDBStreamSpecification: Sendable, Equatable, Codable {
    /// Whether the stream is on.
    public var enabled: Bool
    /// What each record carries; nil when the stream is off (AWS then omits it).
    public var viewType: DynamoDBStreamViewType?

    /// A specification.
    public init(enabled: Bool, viewType: DynamoDBStreamViewType?) {
        self.enabled = enabled
        self.viewType = viewType
    }

    private enum CodingKeys: String, CodingKey {
        case enabled = "StreamEnabled", viewType = "StreamViewType"
    }

    /// Decodes the AWS shape; an unknown view type is kept as text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? false
        viewType = try container.decodeIfPresent(String.self, forKey: .viewType).map(DynamoDBStreamViewType.init(rawValue:))
    }

    /// Encodes the AWS shape (CreateTable, UpdateTable).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(enabled, forKey: .enabled)
        try container.encodeIfPresent(viewType?.rawValue, forKey: .viewType)
    }
}

/// What a stream record carries: `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE`, `NEW_AND_OLD_IMAGES`; open-ended.
public struct DynamoDBStreamViewType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The view type as AWS spells it.
    public var rawValue: String
    /// Wraps a view type.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The view type as AWS spells it.
    public var description: String { rawValue }

    /// Only the key attributes.
    public static let keysOnly = DynamoDBStreamViewType(rawValue: "KEYS_ONLY")
    /// The item after the change.
    public static let newImage = DynamoDBStreamViewType(rawValue: "NEW_IMAGE")
    /// The item before the change.
    public static let oldImage = DynamoDBStreamViewType(rawValue: "OLD_IMAGE")
    /// Both: the view whose INSERT and REMOVE records both carry the lock record.
    public static let newAndOldImages = DynamoDBStreamViewType(rawValue: "NEW_AND_OLD_IMAGES")
}
