import Foundation
public import LocktrailHTTP

/// An SQS client on the JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<operation>`): what reading
/// S3 event notifications from a queue needs. Queue URLs are used exactly as given.
public struct SQSClient: Sendable {
    /// The signed, retrying sender bound to the SQS endpoint.
    public let service: AWSServiceClient

    /// Wraps a service client whose signing name is `sqs`.
    public init(service: AWSServiceClient) {
        self.service = service
    }

    /// Builds a client from resolved configuration: region and the
    /// `AWS_ENDPOINT_URL_SQS`/`AWS_ENDPOINT_URL`/profile endpoint, else `https://sqs.<region>.amazonaws.com`.
    ///
    /// A long poll holds the connection for up to `WaitTimeSeconds`: the transport's timeout must exceed it.
    public init(
        configuration: AWSConfiguration,
        credentials: any AWSCredentialsProvider,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = RetryPolicy()
    ) throws {
        self.service = try AWSServiceClient(
            signingName: "sqs", serviceID: "SQS", configuration: configuration, credentials: credentials,
            transport: transport, retryPolicy: retryPolicy)
    }

    /// Receives up to `maxMessages` (1–10), waiting up to `waitSeconds` (0–20) for the first to arrive.
    ///
    /// - Parameters:
    ///   - visibilityTimeout: seconds the messages stay hidden from other receivers; nil keeps the queue's setting.
    ///   - systemAttributes: `ApproximateReceiveCount`, `SentTimestamp`, … (`All` for every one).
    public func receiveMessages(
        queueURL: String,
        maxMessages: Int = 10,
        waitSeconds: Int = 20,
        visibilityTimeout: Int? = nil,
        systemAttributes: [String] = ["ApproximateReceiveCount", "SentTimestamp"]
    ) async throws -> [SQSMessage] {
        struct Input: Encodable {
            var QueueUrl: String
            var MaxNumberOfMessages: Int
            var WaitTimeSeconds: Int
            var VisibilityTimeout: Int?
            var MessageSystemAttributeNames: [String]
        }
        struct Output: Decodable { var Messages: [SQSMessage]? }
        let output: Output = try await call(
            "ReceiveMessage", queueURL,
            Input(
                QueueUrl: queueURL, MaxNumberOfMessages: maxMessages, WaitTimeSeconds: waitSeconds,
                VisibilityTimeout: visibilityTimeout, MessageSystemAttributeNames: systemAttributes))
        return output.Messages ?? []
    }

    /// Deletes one received message.
    public func deleteMessage(queueURL: String, receiptHandle: String) async throws {
        struct Input: Encodable {
            var QueueUrl: String
            var ReceiptHandle: String
        }
        struct Output: Decodable {}
        let _: Output = try await call("DeleteMessage", queueURL, Input(QueueUrl: queueURL, ReceiptHandle: receiptHandle))
    }

    /// Deletes up to 10 received messages in one call, named by ids unique within the call;
    /// each entry succeeds or fails on its own.
    public func deleteMessageBatch(queueURL: String, entries: [(id: String, receiptHandle: String)]) async throws -> SQSBatchResult {
        struct Entry: Encodable {
            var Id: String
            var ReceiptHandle: String
        }
        struct Input: Encodable {
            var QueueUrl: String
            var Entries: [Entry]
        }
        let output: SQSBatchResult = try await call(
            "DeleteMessageBatch", queueURL,
            Input(QueueUrl: queueURL, Entries: entries.map { Entry(Id: $0.id, ReceiptHandle: $0.receiptHandle) }))
        return output
    }

    /// The queue's attributes (`All` by default): its dead-letter queue, backlog and settings.
    public func getQueueAttributes(queueURL: String, names: [String] = ["All"]) async throws -> SQSQueueAttributes {
        struct Input: Encodable {
            var QueueUrl: String
            var AttributeNames: [String]
        }
        struct Output: Decodable { var Attributes: [String: String]? }
        let output: Output = try await call("GetQueueAttributes", queueURL, Input(QueueUrl: queueURL, AttributeNames: names))
        return SQSQueueAttributes(output.Attributes ?? [:])
    }

    private func call<Input: Encodable, Output: Decodable>(_ operation: String, _ queueURL: String, _ input: Input) async throws -> Output {
        try await service.callJSON(targetPrefix: "AmazonSQS", operation: operation, resource: queueURL, input)
    }
}
