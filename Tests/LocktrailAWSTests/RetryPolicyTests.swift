import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

@Suite("Retry policy and AWS errors")
struct RetryPolicyTests {
    static func awsError(_ code: String, status: Int) -> AWSError {
        AWSError(service: "dynamodb", operation: "Scan", statusCode: status, code: AWSError.Code(rawValue: code), message: "m")
    }

    @Test(
        "retryable: throttling, 5xx, timeouts, resets",
        arguments: [
            ("ProvisionedThroughputExceededException", 400), ("ThrottlingException", 400), ("Throttling", 400),
            ("RequestLimitExceeded", 400), ("TooManyRequestsException", 429), ("InternalServerError", 500),
            ("ServiceUnavailable", 503), ("SlowDown", 503), ("HTTP502", 502), ("HTTP504", 504),
        ])
    func retryable(code: String, status: Int) {
        #expect(RetryPolicy.isRetryable(Self.awsError(code, status: status)))
    }

    @Test(
        "permanent: validation, missing table, permissions, other 4xx",
        arguments: [
            ("ValidationException", 400), ("ResourceNotFoundException", 400), ("AccessDeniedException", 400),
            ("UnrecognizedClientException", 400), ("ConditionalCheckFailedException", 400), ("AccessDenied", 403),
            ("SignatureDoesNotMatch", 403), ("NotFound", 404),
        ])
    func permanent(code: String, status: Int) {
        #expect(!RetryPolicy.isRetryable(Self.awsError(code, status: status)))
    }

    @Test(
        "transport errors",
        arguments: [
            (HTTPTransportError.Kind.timeout, true), (.connectionFailed, true), (.connectionReset, true),
            (.tls, false), (.invalidRequest, false), (.responseTooLarge, false),
        ])
    func transport(kind: HTTPTransportError.Kind, retryable: Bool) {
        #expect(RetryPolicy.isRetryable(HTTPTransportError(kind: kind, host: "h", detail: "d")) == retryable)
        #expect(!RetryPolicy.isRetryable(CancellationError()))
    }

    @Test("backoff: full jitter under a doubling, capped ceiling", arguments: [1, 2, 3, 5, 10, 20, 40])
    func backoffBounds(retry: Int) {
        let base = Duration.milliseconds(50)
        let cap = Duration.seconds(20)
        let ceiling = min(cap, base * (1 << min(retry - 1, 30)))
        let almostOne = RetryPolicy(baseDelay: base, maxDelay: cap, sleep: { _ in }, random: { 0.999_999 })
        let zero = RetryPolicy(baseDelay: base, maxDelay: cap, sleep: { _ in }, random: { 0 })
        #expect(almostOne.delay(beforeRetry: retry) <= ceiling)
        #expect(almostOne.delay(beforeRetry: retry) > ceiling * 0.99)
        #expect(zero.delay(beforeRetry: retry) == .zero)
    }

    @Test("error parsing: JSON __type, x-amzn-ErrorType, XML, status fallback")
    func parsing() {
        let json = HTTPResponse(
            status: 400,
            headers: ["x-amzn-RequestId": "REQ1"],
            body: Array(#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#.utf8)
        )
        let notFound = AWSError.parse(response: json, service: "dynamodb", operation: "Scan", resource: "locks")
        #expect(notFound.code == .resourceNotFound)
        #expect(notFound.requestID == "REQ1")
        #expect(
            notFound.description
                == "dynamodb Scan for locks failed with ResourceNotFoundException (HTTP 400, request id REQ1): Requested resource not found; check the name and region."
        )

        let xml = HTTPResponse(
            status: 403,
            body: Array(
                "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>calc &amp; sent differ</Message></Error><RequestId>R2</RequestId></ErrorResponse>"
                    .utf8))
        let signature = AWSError.parse(response: xml, service: "dynamodb", operation: "Scan")
        #expect(signature.code == .signatureDoesNotMatch)
        #expect(signature.message == "calc & sent differ")
        #expect(signature.requestID == "R2")

        #expect(AWSError.parse(response: HTTPResponse(status: 503), service: "s3", operation: "GetObject").code.rawValue == "ServiceUnavailable")
    }

    @Test("AccessDenied names the permission and the resource")
    func accessDeniedDescription() {
        let withARN = AWSError(
            service: "dynamodb", operation: "Scan", statusCode: 400, code: .accessDeniedException,
            message:
                "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: dynamodb:Scan on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/locks because no identity-based policy allows the dynamodb:Scan action",
            requestID: "R", resource: "locks"
        )
        #expect(
            withARN.description
                == "AWS denied dynamodb:Scan on arn:aws:dynamodb:eu-west-1:123456789012:table/locks: grant the calling identity the IAM permission dynamodb:Scan on arn:aws:dynamodb:eu-west-1:123456789012:table/locks (AccessDeniedException, request id R)."
        )
        let bare = AWSError(service: "dynamodb", operation: "GetItem", statusCode: 403, code: .accessDenied, message: "denied", resource: "locks")
        #expect(bare.description.hasPrefix("AWS denied dynamodb:GetItem on locks:"))
    }
}

@Suite("DynamoDB client retries (scripted transport)")
struct DynamoDBRetryTests {
    static let throttled = HTTPResponse(
        status: 400,
        headers: ["x-amzn-RequestId": "T"],
        body: Array(
            #"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#.utf8)
    )

    static func client(_ transport: ScriptedTransport, _ policy: RetryPolicy) -> DynamoDBClient {
        DynamoDBClient(
            service: AWSServiceClient(
                service: "dynamodb",
                region: "us-east-1",
                endpoint: "https://dynamodb.us-east-1.amazonaws.com",
                credentials: StaticCredentialsProvider(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
                transport: transport,
                retryPolicy: policy,
                now: { Date(timeIntervalSince1970: 1_440_938_160) }
            )
        )
    }

    @Test("ThrottlingException twice, then success: retried with backoff, result returned")
    func throttledThenSuccess() async throws {
        let transport = ScriptedTransport { _, index in
            index < 2 ? Self.throttled : HTTPResponse(status: 200, body: Array(#"{"Items":[{"LockID":{"S":"a"}}],"Count":1,"ScannedCount":1}"#.utf8))
        }
        let sleeps = SleepRecorder()
        let page = try await Self.client(transport, sleeps.policy(random: 1.0)).scan(table: "locks")
        #expect(page.items.first?["LockID"] == .string("a"))
        #expect(page.lastEvaluatedKey == nil)
        #expect(transport.requests.count == 3)
        #expect(sleeps.recorded == [.milliseconds(50), .milliseconds(100)])
        // Every attempt is a complete, signed JSON-protocol request.
        for request in transport.requests {
            #expect(request.headers["X-Amz-Target"] == "DynamoDB_20120810.Scan")
            #expect(request.headers["Content-Type"] == "application/x-amz-json-1.0")
            #expect(request.headers["Authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/dynamodb/aws4_request") == true)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            #expect(body["TableName"] as? String == "locks")
            #expect(body["ConsistentRead"] as? Bool == true)
        }
    }

    @Test("permanent error: one attempt, no sleep")
    func permanentNotRetried() async throws {
        let transport = ScriptedTransport { _, _ in
            HTTPResponse(status: 400, body: Array(#"{"__type":"com.amazon.coral.validate#ValidationException","message":"bad"}"#.utf8))
        }
        let sleeps = SleepRecorder()
        let error = await #expect(throws: AWSError.self) { _ = try await Self.client(transport, sleeps.policy()).scan(table: "locks") }
        #expect(error?.code == .validation)
        #expect(transport.requests.count == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test("throttled on every attempt: gives up after maxAttempts with the throttling error")
    func exhausted() async throws {
        let transport = ScriptedTransport { _, _ in Self.throttled }
        let sleeps = SleepRecorder()
        let error = await #expect(throws: AWSError.self) { _ = try await Self.client(transport, sleeps.policy(maxAttempts: 4)).scan(table: "locks") }
        #expect(error?.code.rawValue == "ThrottlingException")
        #expect(transport.requests.count == 4)
        #expect(sleeps.recorded.count == 3)
    }

    @Test("transport timeouts are retried")
    func timeoutRetried() async throws {
        let transport = ScriptedTransport { request, index in
            if index == 0 { throw HTTPTransportError(kind: .timeout, host: "dynamodb", detail: "timed out") }
            return HTTPResponse(
                status: 200,
                body: Array(#"{"Table":{"TableName":"locks","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"LockID","KeyType":"HASH"}]}}"#.utf8)
            )
        }
        let sleeps = SleepRecorder()
        let table = try await Self.client(transport, sleeps.policy()).describeTable("locks")
        #expect(table.tableStatus == "ACTIVE")
        #expect(table.keyNames == ["LockID"])
        #expect(transport.requests.count == 2)
    }

    @Test("scan pages follow LastEvaluatedKey and stop after the last page")
    func paging() async throws {
        let transport = ScriptedTransport { request, index in
            let body = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            switch index {
            case 0:
                #expect(body?["ExclusiveStartKey"] == nil)
                return HTTPResponse(status: 200, body: Array(#"{"Items":[{"LockID":{"S":"a"}}],"LastEvaluatedKey":{"LockID":{"S":"a"}}}"#.utf8))
            default:
                #expect((body?["ExclusiveStartKey"] as? [String: Any])?["LockID"] != nil)
                return HTTPResponse(status: 200, body: Array(#"{"Items":[{"LockID":{"S":"b"}}]}"#.utf8))
            }
        }
        var ids: [String] = []
        for try await page in Self.client(transport, SleepRecorder().policy()).scanPages(table: "locks", pageLimit: 1) {
            ids += page.items.compactMap { $0["LockID"]?.stringValue }
        }
        #expect(ids == ["a", "b"])
        #expect(transport.requests.count == 2)
    }
}
