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

    private enum CodingKeys: String, CodingKey {
        case TableName, TableArn, TableStatus, ItemCount, KeySchema
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
    }
}
