import Foundation
public import LocktrailHTTP

/// A DynamoDB Streams client (JSON 1.0, target `DynamoDBStreams_20120810`, signed as `dynamodb`):
/// what reading a lock table's changes needs.
///
/// Failures a reader handles are `AWSError` codes: `.expiredIterator` (get a new iterator after the
/// last sequence number read), `.trimmedDataAccess` (the records are past the 24-hour retention: a
/// coverage gap), `.resourceNotFound` (stream or shard gone). Throttling (`LimitExceededException`,
/// `ThrottlingException`) and 5xx are retried by the client's `RetryPolicy`.
public struct DynamoDBStreamsClient: Sendable {
    /// The signed, retrying sender bound to the Streams endpoint.
    public let service: AWSServiceClient

    /// Wraps a service client whose signing name is `dynamodb`.
    public init(service: AWSServiceClient) {
        self.service = service
    }

    /// Builds a client from resolved configuration: region and the
    /// `AWS_ENDPOINT_URL_DYNAMODB_STREAMS`/`AWS_ENDPOINT_URL`/profile endpoint, else
    /// `https://streams.dynamodb.<region>.amazonaws.com`.
    public init(
        configuration: AWSConfiguration,
        credentials: any AWSCredentialsProvider,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = RetryPolicy()
    ) throws {
        self.service = try AWSServiceClient(
            signingName: "dynamodb", serviceID: "DynamoDB Streams", configuration: configuration, credentials: credentials,
            transport: transport, retryPolicy: retryPolicy)
    }

    /// One DescribeStream page; pass the previous page's `lastEvaluatedShardID` as `exclusiveStartShardID`.
    public func describeStream(
        streamARN: String,
        exclusiveStartShardID: String? = nil,
        limit: Int? = nil
    ) async throws -> DynamoDBStreamDescription {
        struct Input: Encodable {
            var StreamArn: String
            var ExclusiveStartShardId: String?
            var Limit: Int?
        }
        struct Output: Decodable { var StreamDescription: DynamoDBStreamDescription }
        let output: Output = try await call(
            "DescribeStream", streamARN, Input(StreamArn: streamARN, ExclusiveStartShardId: exclusiveStartShardID, Limit: limit))
        return output.StreamDescription
    }

    /// Every DescribeStream page, fetched lazily.
    public func describeStreamPages(streamARN: String, pageLimit: Int? = nil) -> DynamoDBStreamDescriptionPages {
        AWSPages(
            fetch: { start in
                try await self.describeStream(streamARN: streamARN, exclusiveStartShardID: start, limit: pageLimit)
            }, next: { page in page.lastEvaluatedShardID })
    }

    /// Every shard of the stream, all pages read.
    public func allShards(streamARN: String, pageLimit: Int? = nil) async throws -> [DynamoDBStreamShard] {
        var shards: [DynamoDBStreamShard] = []
        for try await page in describeStreamPages(streamARN: streamARN, pageLimit: pageLimit) { shards += page.shards }
        return shards
    }

    /// An iterator into `shardID` at `position`; it expires after 15 minutes.
    public func getShardIterator(streamARN: String, shardID: String, position: DynamoDBShardIteratorPosition) async throws -> String {
        struct Input: Encodable {
            var StreamArn: String
            var ShardId: String
            var ShardIteratorType: String
            var SequenceNumber: String?
        }
        struct Output: Decodable { var ShardIterator: String? }
        let output: Output = try await call(
            "GetShardIterator", streamARN,
            Input(StreamArn: streamARN, ShardId: shardID, ShardIteratorType: position.type, SequenceNumber: position.sequenceNumber))
        guard let iterator = output.ShardIterator else {
            throw AWSDecodingError(service: service.service, operation: "GetShardIterator", reason: "no ShardIterator in the response")
        }
        return iterator
    }

    /// Up to `limit` (at most 1,000) records from `shardIterator`, and the iterator to continue with.
    ///
    /// - Parameter resource: the stream ARN or shard the iterator belongs to, for error messages
    ///   (an iterator itself is long and opaque).
    public func getRecords(shardIterator: String, limit: Int? = nil, resource: String? = nil) async throws -> DynamoDBStreamRecordsPage {
        struct Input: Encodable {
            var ShardIterator: String
            var Limit: Int?
        }
        struct Output: Decodable {
            var Records: [DynamoDBStreamRecord]?
            var NextShardIterator: String?
        }
        let output: Output = try await call("GetRecords", resource, Input(ShardIterator: shardIterator, Limit: limit))
        return DynamoDBStreamRecordsPage(records: output.Records ?? [], nextShardIterator: output.NextShardIterator)
    }

    private func call<Input: Encodable, Output: Decodable>(_ operation: String, _ resource: String?, _ input: Input) async throws -> Output {
        try await service.callJSON(targetPrefix: "DynamoDBStreams_20120810", operation: operation, resource: resource, input)
    }
}

/// Every DescribeStream page of a stream.
public typealias DynamoDBStreamDescriptionPages = AWSPages<DynamoDBStreamDescription, String>
