import Foundation
import LocktrailAWS
import LocktrailHTTP

/// The local AWS emulator for integration tests: the one `scripts/test` starts
/// (`LOCKTRAIL_TEST_MOTO_URL`), or one started here for this test process.
public enum TestAWS {
    /// The emulator's URL.
    public static let endpoint: String = {
        if let given = ProcessInfo.processInfo.environment["LOCKTRAIL_TEST_MOTO_URL"], !given.isEmpty { return given }
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { fatalError("cannot start moto_server (run scripts/test): \(error)") }
        let url = "http://127.0.0.1:\(port)"
        guard TCP.waitForListener(port: port, timeout: 20) else { fatalError("moto_server did not start on \(url)") }
        return url
    }()

    /// The AWS variables that point a client (or terraform) at the emulator with test keys.
    public static var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint, "HOME": NSTemporaryDirectory(), "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    /// A name unique to this test, usable as a table or bucket name.
    public static func uniqueName(_ prefix: String) -> String {
        prefix + "-" + UUID().uuidString.lowercased().prefix(12)
    }

    /// The configuration, credentials and transport for the emulator.
    public static func clients() throws -> (AWSConfiguration, any AWSCredentialsProvider, any HTTPTransport) {
        let configuration = try AWSConfiguration.resolve(environment: environment)
        let transport = CurlHTTPClient()
        let credentials = StaticCredentialsProvider(
            AWSCredentials(accessKeyID: "test", secretAccessKey: "test", sessionToken: nil, expiration: nil, source: "test"))
        return (configuration, credentials, transport)
    }

    /// A DynamoDB client on the emulator.
    public static func dynamoDB() throws -> DynamoDBClient {
        let (configuration, credentials, transport) = try clients()
        return try DynamoDBClient(
            configuration: configuration, credentials: credentials, transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: 3))
    }

    /// An S3 client on the emulator.
    public static func s3() throws -> S3Client {
        let (configuration, credentials, transport) = try clients()
        return S3Client(configuration: configuration, credentials: credentials, transport: transport, retryPolicy: RetryPolicy(maxAttempts: 3))
    }

    /// Creates a bucket on the emulator (terraform's S3 backend needs one), optionally versioned.
    public static func createBucket(_ bucket: String, versioned: Bool = false) async throws {
        let (configuration, credentials, transport) = try clients()
        let s3 = AWSServiceClient(
            service: "s3", region: "us-east-1", endpoint: try configuration.endpoint(serviceID: "S3"),
            credentials: credentials, transport: transport)
        _ = try await s3.send(HTTPRequest(method: "PUT", url: "/\(bucket)"), operation: "CreateBucket", resource: bucket)
        if versioned {
            let body = Array(
                #"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#.utf8)
            _ = try await s3.send(
                HTTPRequest(method: "PUT", url: "/\(bucket)?versioning=", body: body), operation: "PutBucketVersioning", resource: bucket)
        }
    }

    /// Deletes an empty bucket (a source whose bucket is gone fails its cycles until it is created again).
    public static func deleteBucket(_ bucket: String) async throws {
        let (configuration, credentials, transport) = try clients()
        let s3 = AWSServiceClient(
            service: "s3", region: "us-east-1", endpoint: try configuration.endpoint(serviceID: "S3"),
            credentials: credentials, transport: transport)
        _ = try await s3.send(HTTPRequest(method: "DELETE", url: "/\(bucket)"), operation: "DeleteBucket", resource: bucket)
    }

    /// An SQS client on the emulator.
    public static func sqs() throws -> SQSClient {
        let (configuration, credentials, transport) = try clients()
        return try SQSClient(configuration: configuration, credentials: credentials, transport: transport, retryPolicy: RetryPolicy(maxAttempts: 3))
    }

    /// Creates a queue and returns its URL.
    public static func createQueue(_ name: String, attributes: [String: String] = [:]) async throws -> String {
        struct Input: Encodable { var QueueName: String; var Attributes: [String: String] }
        struct Output: Decodable { var QueueUrl: String }
        let output: Output = try await sqs().service.callJSON(
            targetPrefix: "AmazonSQS", operation: "CreateQueue", resource: name, Input(QueueName: name, Attributes: attributes))
        return output.QueueUrl
    }

    /// A queue whose messages go to a dead-letter queue after `maxReceiveCount` receives: (queue, dead-letter queue) URLs.
    public static func createQueueWithDeadLetters(_ name: String, maxReceiveCount: Int, visibilityTimeout: Int = 30) async throws -> (String, String)
    {
        let dlq = try await createQueue(name + "-dlq")
        let arn = try await sqs().getQueueAttributes(queueURL: dlq, names: ["QueueArn"]).queueARN ?? ""
        let queue = try await createQueue(
            name,
            attributes: [
                "VisibilityTimeout": String(visibilityTimeout),
                "RedrivePolicy": #"{"deadLetterTargetArn":"\#(arn)","maxReceiveCount":"\#(maxReceiveCount)"}"#,
            ])
        return (queue, dlq)
    }

    /// Puts a message on a queue, as S3, SNS or EventBridge would.
    public static func sendMessage(_ queueURL: String, body: String) async throws {
        struct Input: Encodable { var QueueUrl: String; var MessageBody: String }
        struct Output: Decodable {}
        let _: Output = try await sqs().service.callJSON(
            targetPrefix: "AmazonSQS", operation: "SendMessage", resource: queueURL, Input(QueueUrl: queueURL, MessageBody: body))
    }

    /// Messages waiting in a queue plus those in flight.
    public static func queueDepth(_ queueURL: String) async throws -> Int {
        let attributes = try await sqs().getQueueAttributes(queueURL: queueURL)
        return (attributes.approximateNumberOfMessages ?? 0) + (attributes.approximateNumberOfMessagesNotVisible ?? 0)
    }

    /// Sends the bucket's create and remove notifications to the queue (this replaces any existing configuration).
    public static func notifyQueue(bucket: String, queueURL: String) async throws {
        let (configuration, credentials, transport) = try clients()
        let arn = try await sqs().getQueueAttributes(queueURL: queueURL, names: ["QueueArn"]).queueARN ?? ""
        let s3 = AWSServiceClient(
            service: "s3", region: "us-east-1", endpoint: try configuration.endpoint(serviceID: "S3"),
            credentials: credentials, transport: transport)
        let body = """
            <NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><QueueConfiguration>\
            <Id>locktrail</Id><Queue>\(arn)</Queue><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event>\
            </QueueConfiguration></NotificationConfiguration>
            """
        _ = try await s3.send(
            HTTPRequest(method: "PUT", url: "/\(bucket)?notification=", headers: ["Content-Type": "application/xml"], body: Array(body.utf8)),
            operation: "PutBucketNotificationConfiguration", resource: bucket)
    }
}
