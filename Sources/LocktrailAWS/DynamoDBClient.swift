import Foundation
public import LocktrailHTTP

/// A DynamoDB client on the JSON 1.0 protocol, covering what lock-table collection needs.
public struct DynamoDBClient: Sendable {
    /// The signed, retrying sender bound to the DynamoDB endpoint.
    public let service: AWSServiceClient

    /// Wraps a service client whose signing name is `dynamodb`.
    public init(service: AWSServiceClient) {
        self.service = service
    }

    /// Builds a client from resolved configuration: region, `AWS_ENDPOINT_URL_DYNAMODB`/… endpoint.
    public init(
        configuration: AWSConfiguration,
        credentials: any AWSCredentialsProvider,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = RetryPolicy()
    ) throws {
        self.service = try AWSServiceClient(
            signingName: "dynamodb", serviceID: "DynamoDB", configuration: configuration, credentials: credentials,
            transport: transport, retryPolicy: retryPolicy)
    }

    // MARK: Reading

    /// One Scan page; pass the previous page's `lastEvaluatedKey` as `exclusiveStartKey` to continue.
    public func scan(
        table: String,
        consistentRead: Bool = true,
        exclusiveStartKey: DynamoDBItem? = nil,
        limit: Int? = nil
    ) async throws -> DynamoDBScanPage {
        struct Input: Encodable {
            var TableName: String
            var ConsistentRead: Bool
            var ExclusiveStartKey: DynamoDBItem?
            var Limit: Int?
        }
        struct Output: Decodable {
            var Items: [DynamoDBItem]?
            var LastEvaluatedKey: DynamoDBItem?
            var ScannedCount: Int?
        }
        let output: Output = try await call(
            "Scan",
            table: table,
            Input(TableName: table, ConsistentRead: consistentRead, ExclusiveStartKey: exclusiveStartKey, Limit: limit)
        )
        return DynamoDBScanPage(items: output.Items ?? [], lastEvaluatedKey: output.LastEvaluatedKey, scannedCount: output.ScannedCount ?? 0)
    }

    /// Every page of a consistent Scan, fetched lazily: memory holds one page at a time.
    public func scanPages(table: String, consistentRead: Bool = true, pageLimit: Int? = nil) -> DynamoDBScanPages {
        AWSPages(
            fetch: { start in
                try await self.scan(table: table, consistentRead: consistentRead, exclusiveStartKey: start, limit: pageLimit)
            }, next: { page in page.lastEvaluatedKey })
    }

    /// The item with `key`, or nil; `projection` limits the attributes returned.
    public func getItem(
        table: String,
        key: DynamoDBItem,
        consistentRead: Bool = true,
        projection: [String]? = nil
    ) async throws -> DynamoDBItem? {
        struct Input: Encodable {
            var TableName: String
            var Key: DynamoDBItem
            var ConsistentRead: Bool
            var ProjectionExpression: String?
            var ExpressionAttributeNames: [String: String]?
        }
        struct Output: Decodable { var Item: DynamoDBItem? }
        // Placeholders (#p0, #p1…) keep reserved words among attribute names legal.
        let names = projection.map { Dictionary(uniqueKeysWithValues: $0.enumerated().map { ("#p\($0.offset)", $0.element) }) }
        let expression = projection.map { $0.indices.map { "#p\($0)" }.joined(separator: ", ") }
        let output: Output = try await call(
            "GetItem",
            table: table,
            Input(TableName: table, Key: key, ConsistentRead: consistentRead, ProjectionExpression: expression, ExpressionAttributeNames: names)
        )
        return output.Item
    }

    /// Describes the table (status, ARN, key schema, item count).
    public func describeTable(_ table: String) async throws -> DynamoDBTableDescription {
        struct Input: Encodable { var TableName: String }
        struct Output: Decodable { var Table: DynamoDBTableDescription }
        let output: Output = try await call("DescribeTable", table: table, Input(TableName: table))
        return output.Table
    }

    /// Table names in the account and region (first page, up to 100).
    public func listTables() async throws -> [String] {
        struct Input: Encodable {}
        struct Output: Decodable { var TableNames: [String]? }
        let output: Output = try await call("ListTables", table: nil, Input())
        return output.TableNames ?? []
    }

    // MARK: Writing

    /// Writes `item`; with `conditionExpression` a failed condition throws `AWSError` code `.conditionalCheckFailed`.
    public func putItem(
        table: String,
        item: DynamoDBItem,
        conditionExpression: String? = nil,
        expressionAttributeNames: [String: String]? = nil,
        expressionAttributeValues: DynamoDBItem? = nil
    ) async throws {
        struct Input: Encodable {
            var TableName: String
            var Item: DynamoDBItem
            var ConditionExpression: String?
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoDBItem?
        }
        struct Output: Decodable {}
        let _: Output = try await call(
            "PutItem",
            table: table,
            Input(
                TableName: table,
                Item: item,
                ConditionExpression: conditionExpression,
                ExpressionAttributeNames: expressionAttributeNames,
                ExpressionAttributeValues: expressionAttributeValues
            )
        )
    }

    /// Deletes the item with `key`; returns its old attributes when `returnValues` is `.allOld` and it existed.
    @discardableResult
    public func deleteItem(
        table: String,
        key: DynamoDBItem,
        conditionExpression: String? = nil,
        expressionAttributeNames: [String: String]? = nil,
        expressionAttributeValues: DynamoDBItem? = nil,
        returnValues: DynamoDBReturnValues = .none
    ) async throws -> DynamoDBItem? {
        struct Input: Encodable {
            var TableName: String
            var Key: DynamoDBItem
            var ConditionExpression: String?
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoDBItem?
            var ReturnValues: String
        }
        struct Output: Decodable { var Attributes: DynamoDBItem? }
        let output: Output = try await call(
            "DeleteItem",
            table: table,
            Input(
                TableName: table,
                Key: key,
                ConditionExpression: conditionExpression,
                ExpressionAttributeNames: expressionAttributeNames,
                ExpressionAttributeValues: expressionAttributeValues,
                ReturnValues: returnValues.rawValue
            )
        )
        return output.Attributes
    }

    // MARK: Tables (tests and demos)

    /// Creates a Terraform-style lock table: hash key `hashKey` of type String, on-demand billing.
    @discardableResult
    public func createTable(
        _ table: String, hashKey: String = "LockID", stream: DynamoDBStreamSpecification? = nil
    ) async throws -> DynamoDBTableDescription {
        struct Attribute: Encodable { var AttributeName: String; var AttributeType: String }
        struct KeyElement: Encodable { var AttributeName: String; var KeyType: String }
        struct Input: Encodable {
            var TableName: String
            var AttributeDefinitions: [Attribute]
            var KeySchema: [KeyElement]
            var BillingMode: String
            var StreamSpecification: DynamoDBStreamSpecification?
        }
        struct Output: Decodable { var TableDescription: DynamoDBTableDescription }
        let output: Output = try await call(
            "CreateTable",
            table: table,
            Input(
                TableName: table,
                AttributeDefinitions: [Attribute(AttributeName: hashKey, AttributeType: "S")],
                KeySchema: [KeyElement(AttributeName: hashKey, KeyType: "HASH")],
                BillingMode: "PAY_PER_REQUEST",
                StreamSpecification: stream
            )
        )
        return output.TableDescription
    }

    /// Turns the table's stream on or off (UpdateTable; tests and demos). Enabling it again after
    /// disabling makes a new stream, with a new ARN.
    @discardableResult
    public func updateStream(table: String, _ stream: DynamoDBStreamSpecification) async throws -> DynamoDBTableDescription {
        struct Input: Encodable { var TableName: String; var StreamSpecification: DynamoDBStreamSpecification }
        struct Output: Decodable { var TableDescription: DynamoDBTableDescription }
        let output: Output = try await call("UpdateTable", table: table, Input(TableName: table, StreamSpecification: stream))
        return output.TableDescription
    }

    /// Deletes the table (tests: simulates "unlock all" tooling).
    public func deleteTable(_ table: String) async throws {
        struct Input: Encodable { var TableName: String }
        struct Output: Decodable {}
        let _: Output = try await call("DeleteTable", table: table, Input(TableName: table))
    }

    // MARK: Wire

    /// Sends `input` as `DynamoDB_20120810.<operation>` and decodes the answer.
    private func call<Input: Encodable, Output: Decodable>(_ operation: String, table: String?, _ input: Input) async throws -> Output {
        try await service.callJSON(targetPrefix: "DynamoDB_20120810", operation: operation, resource: table, input)
    }
}

/// What DeleteItem returns about the deleted item.
public enum DynamoDBReturnValues: String, Sendable {
    /// Nothing.
    case none = "NONE"
    /// All attributes of the item as it was before deletion.
    case allOld = "ALL_OLD"
}
