import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailHTTP

/// Set-up calls the push tests need and production never makes (tables with streams, queues,
/// bucket notifications), sent through the same signed service clients.
enum PushFixtures {
    static let credentials = StaticCredentialsProvider(AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "not-checked-by-default"))

    /// The emulator's configuration, endpoints from the per-service variables production reads.
    static func configuration(_ moto: MotoServer) throws -> AWSConfiguration {
        try AWSConfiguration.resolve(environment: [
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_DYNAMODB": moto.endpoint,
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": moto.endpoint,
            "AWS_ENDPOINT_URL_SQS": moto.endpoint,
            "AWS_ENDPOINT_URL_S3": moto.endpoint,
            "AWS_CONFIG_FILE": "/nonexistent/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        ])
    }

    static func dynamoDB(_ moto: MotoServer) throws -> DynamoDBClient {
        try DynamoDBClient(
            configuration: configuration(moto), credentials: credentials, transport: CurlHTTPClient(), retryPolicy: RetryPolicy(maxAttempts: 2))
    }

    static func streams(_ moto: MotoServer) throws -> DynamoDBStreamsClient {
        try DynamoDBStreamsClient(
            configuration: configuration(moto), credentials: credentials, transport: CurlHTTPClient(), retryPolicy: RetryPolicy(maxAttempts: 2))
    }

    static func sqs(_ moto: MotoServer) throws -> SQSClient {
        try SQSClient(
            configuration: configuration(moto), credentials: credentials, transport: CurlHTTPClient(), retryPolicy: RetryPolicy(maxAttempts: 2))
    }

    static func s3(_ moto: MotoServer) throws -> S3Client {
        S3Client(
            configuration: try configuration(moto), credentials: credentials, transport: CurlHTTPClient(), retryPolicy: RetryPolicy(maxAttempts: 2))
    }

    /// A Terraform-style lock table with a stream of `viewType`.
    static func createStreamTable(_ dynamo: DynamoDBClient, _ table: String, viewType: DynamoDBStreamViewType = .newAndOldImages) async throws {
        struct Attribute: Encodable { var AttributeName = "LockID"; var AttributeType = "S" }
        struct KeyElement: Encodable { var AttributeName = "LockID"; var KeyType = "HASH" }
        struct Input: Encodable {
            var TableName: String
            var AttributeDefinitions = [Attribute()]
            var KeySchema = [KeyElement()]
            var BillingMode = "PAY_PER_REQUEST"
            var StreamSpecification: DynamoDBStreamSpecification
        }
        struct Output: Decodable {}
        let _: Output = try await dynamo.service.callJSON(
            targetPrefix: "DynamoDB_20120810", operation: "CreateTable", resource: table,
            Input(TableName: table, StreamSpecification: DynamoDBStreamSpecification(enabled: true, viewType: viewType)))
    }

    /// Creates a queue (with `attributes`) and returns its URL.
    static func createQueue(_ sqs: SQSClient, _ name: String, attributes: [String: String] = [:]) async throws -> String {
        struct Input: Encodable { var QueueName: String; var Attributes: [String: String] }
        struct Output: Decodable { var QueueUrl: String }
        let output: Output = try await sqs.service.callJSON(
            targetPrefix: "AmazonSQS", operation: "CreateQueue", resource: name, Input(QueueName: name, Attributes: attributes))
        return output.QueueUrl
    }

    /// Puts a message on a queue, as S3, SNS or EventBridge would.
    static func sendMessage(_ sqs: SQSClient, queueURL: String, body: String) async throws {
        struct Input: Encodable { var QueueUrl: String; var MessageBody: String }
        struct Output: Decodable {}
        let _: Output = try await sqs.service.callJSON(
            targetPrefix: "AmazonSQS", operation: "SendMessage", resource: queueURL, Input(QueueUrl: queueURL, MessageBody: body))
    }

    /// Sends the bucket's create and remove notifications to the queue (this replaces any existing configuration).
    static func notifyQueue(_ moto: MotoServer, bucket: String, queueARN: String) async throws {
        let s3 = AWSServiceClient(service: "s3", region: "us-east-1", endpoint: moto.endpoint, credentials: credentials, transport: CurlHTTPClient())
        let body = """
            <NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><QueueConfiguration>\
            <Id>locktrail</Id><Queue>\(queueARN)</Queue><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event>\
            </QueueConfiguration></NotificationConfiguration>
            """
        _ = try await s3.send(
            HTTPRequest(method: "PUT", url: "/\(bucket)?notification=", headers: ["Content-Type": "application/xml"], body: Array(body.utf8)),
            operation: "PutBucketNotificationConfiguration", resource: bucket)
    }

    /// An item as the collector reads it: the three attributes Terraform writes, the rest in wire shape.
    static func lockTableItem(_ item: DynamoDBItem) -> LockTableItem {
        var result = LockTableItem(lockID: nil, info: nil, digest: nil)
        for (name, value) in item {
            switch (name, value) {
            case ("LockID", .string(let s)): result.lockID = s
            case ("Info", .string(let s)): result.info = s
            case ("Digest", .string(let s)): result.digest = s
            default: result.otherAttributes[name] = (try? JSONParser.parse(value.description)) ?? .string(value.description)
            }
        }
        return result
    }

    /// A stream record without AWS types.
    static func streamRecord(_ record: DynamoDBStreamRecord, streamARN: String, shardID: String) -> LockTableStreamRecord {
        LockTableStreamRecord(
            streamARN: streamARN, shardID: shardID, sequenceNumber: record.sequenceNumber, eventID: record.eventID,
            eventName: record.eventName, approximateCreationSeconds: record.approximateCreationSeconds,
            keys: lockTableItem(record.keys), newImage: record.newImage.map(lockTableItem), oldImage: record.oldImage.map(lockTableItem),
            principal: record.userIdentityPrincipal)
    }
}
