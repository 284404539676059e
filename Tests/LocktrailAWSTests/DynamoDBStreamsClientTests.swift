import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

/// The Streams client against scripted responses: endpoint, target, paging, typed errors, and the
/// answers the emulator cannot produce (expired iterators, trimmed data, throttling).
@Suite("DynamoDB Streams client")
struct DynamoDBStreamsClientTests {
    static let credentials = StaticCredentialsProvider(
        AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))

    static func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/x-amz-json-1.0"], body: Array(body.utf8))
    }

    static func streams(_ transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy(maxAttempts: 1)) throws -> DynamoDBStreamsClient {
        try DynamoDBStreamsClient(
            configuration: AWSConfiguration(region: "eu-west-1"), credentials: credentials, transport: transport, retryPolicy: retry)
    }

    @Test(
        "endpoint: AWS_ENDPOINT_URL_DYNAMODB_STREAMS, then AWS_ENDPOINT_URL, then streams.dynamodb.<region>",
        arguments: [
            (["AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "http://streams.local:1/", "AWS_ENDPOINT_URL": "http://all.local:2"], "http://streams.local:1"),
            (["AWS_ENDPOINT_URL": "http://all.local:2"], "http://all.local:2"),
            ([:], "https://streams.dynamodb.eu-west-1.amazonaws.com"),
            (["AWS_ENDPOINT_URL_DYNAMODB": "http://dynamo.local:3"], "https://streams.dynamodb.eu-west-1.amazonaws.com"),
        ])
    func endpoints(environment: [String: String], expected: String) throws {
        let configuration = AWSConfiguration(environment: environment, region: "eu-west-1")
        let transport = ScriptedTransport { _, _ in Self.json(200, "{}") }
        let client = try DynamoDBStreamsClient(configuration: configuration, credentials: Self.credentials, transport: transport).service
        #expect(client.endpoint == expected)
        #expect(client.service == "dynamodb")  // Streams signs as DynamoDB
    }

    @Test("DescribeStream pages follow LastEvaluatedShardId, signed as dynamodb with the Streams target")
    func describeStreamPaging() async throws {
        let transport = ScriptedTransport { request, index in
            let body = String(decoding: request.body, as: UTF8.self)
            if index == 0 {
                #expect(!body.contains("ExclusiveStartShardId"))
                return Self.json(
                    200,
                    #"{"StreamDescription":{"StreamArn":"arn:s","StreamStatus":"ENABLED","StreamViewType":"NEW_AND_OLD_IMAGES","Shards":[{"ShardId":"shardId-1","SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"199"}}],"LastEvaluatedShardId":"shardId-1"}}"#
                )
            }
            #expect(body.contains(#""ExclusiveStartShardId":"shardId-1""#))
            return Self.json(
                200,
                #"{"StreamDescription":{"StreamArn":"arn:s","Shards":[{"ShardId":"shardId-2","ParentShardId":"shardId-1","SequenceNumberRange":{"StartingSequenceNumber":"200"}}]}}"#
            )
        }
        let shards = try await Self.streams(transport).allShards(streamARN: "arn:s")
        #expect(
            shards == [
                DynamoDBStreamShard(shardID: "shardId-1", startingSequenceNumber: "100", endingSequenceNumber: "199"),
                DynamoDBStreamShard(shardID: "shardId-2", parentShardID: "shardId-1", startingSequenceNumber: "200"),
            ])
        #expect(shards[0].isClosed && !shards[1].isClosed)
        #expect(transport.requests.allSatisfy { $0.headers["X-Amz-Target"] == "DynamoDBStreams_20120810.DescribeStream" })
        #expect(transport.requests.allSatisfy { $0.headers["Authorization"]?.contains("/eu-west-1/dynamodb/aws4_request") == true })
    }

    @Test(
        "GetShardIterator sends each position's type and sequence number",
        arguments: [
            (DynamoDBShardIteratorPosition.trimHorizon, #""ShardIteratorType":"TRIM_HORIZON""#, false),
            (.latest, #""ShardIteratorType":"LATEST""#, false),
            (.atSequenceNumber("4200"), #""ShardIteratorType":"AT_SEQUENCE_NUMBER""#, true),
            (.afterSequenceNumber("4200"), #""ShardIteratorType":"AFTER_SEQUENCE_NUMBER""#, true),
        ])
    func iteratorPositions(position: DynamoDBShardIteratorPosition, type: String, hasNumber: Bool) async throws {
        let transport = ScriptedTransport { _, _ in Self.json(200, #"{"ShardIterator":"it-1"}"#) }
        #expect(try await Self.streams(transport).getShardIterator(streamARN: "arn:s", shardID: "shardId-1", position: position) == "it-1")
        let body = String(decoding: transport.requests[0].body, as: UTF8.self)
        #expect(body.contains(type))
        #expect(body.contains(#""SequenceNumber":"4200""#) == hasNumber)
    }

    @Test(
        "stream read failures are typed AWS errors with advice",
        arguments: [
            ("ExpiredIteratorException", AWSError.Code.expiredIterator, "15 minutes"),
            ("TrimmedDataAccessException", .trimmedDataAccess, "24-hour retention"),
            ("ResourceNotFoundException", .resourceNotFound, "check the name"),
        ])
    func typedErrors(type: String, code: AWSError.Code, advice: String) async throws {
        let transport = ScriptedTransport { _, _ in Self.json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#\#(type)","message":"m"}"#) }
        let error = await #expect(throws: AWSError.self) {
            _ = try await Self.streams(transport, retry: RetryPolicy(maxAttempts: 3, sleep: { _ in })).getRecords(
                shardIterator: "it", resource: "arn:s")
        }
        #expect(error?.code == code)
        #expect(error?.description.contains(advice) == true)
        #expect(error?.description.contains("arn:s") == true)
        #expect(transport.requests.count == 1)  // not retried
    }

    @Test("throttled GetRecords is retried, then answers (here a TTL deletion)")
    func throttlingRetried() async throws {
        let transport = ScriptedTransport { _, index in
            index < 2
                ? Self.json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException","message":"slow down"}"#)
                : Self.json(
                    200,
                    #"{"Records":[{"eventID":"e","eventName":"REMOVE","userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},"dynamodb":{"ApproximateCreationDateTime":1741064767,"SequenceNumber":"300","Keys":{"LockID":{"S":"b/k"}},"OldImage":{"LockID":{"S":"b/k"},"Info":{"S":"{}"}},"StreamViewType":"NEW_AND_OLD_IMAGES"}}]}"#
                )
        }
        let page = try await Self.streams(transport, retry: RetryPolicy(maxAttempts: 4, sleep: { _ in })).getRecords(shardIterator: "it")
        #expect(transport.requests.count == 3)
        #expect(page.records.first?.approximateCreationSeconds == 1_741_064_767)
        #expect(page.records.first?.oldImage?["Info"] == .string("{}"))
        #expect(page.records.first?.userIdentityPrincipal == "dynamodb.amazonaws.com")  // a TTL deletion
        #expect(page.nextShardIterator == nil)  // a closed shard read to its end
    }
}
