import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

/// The SQS client against scripted responses: endpoint, JSON-protocol requests and answers.
@Suite("SQS client")
struct SQSClientTests {
    static let credentials = StaticCredentialsProvider(
        AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))

    static func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/x-amz-json-1.0"], body: Array(body.utf8))
    }

    @Test(
        "endpoint: AWS_ENDPOINT_URL_SQS, then AWS_ENDPOINT_URL, then sqs.<region>",
        arguments: [
            (["AWS_ENDPOINT_URL_SQS": "http://sqs.local:4", "AWS_ENDPOINT_URL": "http://all.local:2"], "http://sqs.local:4"),
            (["AWS_ENDPOINT_URL": "http://all.local:2"], "http://all.local:2"),
            ([:], "https://sqs.eu-west-1.amazonaws.com"),
        ])
    func endpoints(environment: [String: String], expected: String) throws {
        let configuration = AWSConfiguration(environment: environment, region: "eu-west-1")
        let transport = ScriptedTransport { _, _ in Self.json(200, "{}") }
        let client = try SQSClient(configuration: configuration, credentials: Self.credentials, transport: transport).service
        #expect(client.endpoint == expected)
        #expect(client.service == "sqs")
    }

    @Test("SQS: ReceiveMessage's request, messages and attributes; DeleteMessageBatch's partial failure; the queue's redrive policy")
    func sqsShapes() async throws {
        let transport = ScriptedTransport { request, _ in
            switch request.headers["X-Amz-Target"] {
            case "AmazonSQS.ReceiveMessage":
                return Self.json(
                    200,
                    #"{"Messages":[{"MessageId":"m-1","ReceiptHandle":"r-1","MD5OfBody":"x","Body":"{}","Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1741064767123"}}]}"#
                )
            case "AmazonSQS.DeleteMessageBatch":
                return Self.json(
                    200, #"{"Successful":[{"Id":"0"}],"Failed":[{"Id":"1","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"bad"}]}"#)
            default:
                return Self.json(
                    200,
                    #"{"Attributes":{"ApproximateNumberOfMessages":"7","QueueArn":"arn:aws:sqs:eu-west-1:1:q","RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:1:dlq\",\"maxReceiveCount\":\"5\"}"}}"#
                )
            }
        }
        let sqs = try SQSClient(
            configuration: AWSConfiguration(region: "eu-west-1"), credentials: Self.credentials, transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: 1))
        let url = "https://sqs.eu-west-1.amazonaws.com/1/q"
        let messages = try await sqs.receiveMessages(queueURL: url, maxMessages: 10, waitSeconds: 20, visibilityTimeout: 120)
        let body = String(decoding: transport.requests[0].body, as: UTF8.self)
        for part in [
            #""QueueUrl":"https:\/\/sqs.eu-west-1.amazonaws.com\/1\/q""#, #""WaitTimeSeconds":20"#, #""MaxNumberOfMessages":10"#,
            #""VisibilityTimeout":120"#, #""MessageSystemAttributeNames":["ApproximateReceiveCount","SentTimestamp"]"#,
        ] {
            #expect(body.contains(part), "\(part) in \(body)")
        }
        #expect(transport.requests[0].headers["Content-Type"] == "application/x-amz-json-1.0")
        #expect(messages.first?.approximateReceiveCount == 3)
        #expect(messages.first?.sentTimestamp == Date(timeIntervalSince1970: 1_741_064_767.123))
        let result = try await sqs.deleteMessageBatch(queueURL: url, entries: [("0", "r-1"), ("1", "r-2")])
        #expect(result.successful == ["0"])
        #expect(result.failed.map(\.code) == ["ReceiptHandleIsInvalid"])
        let attributes = try await sqs.getQueueAttributes(queueURL: url)
        #expect(attributes.approximateNumberOfMessages == 7)
        #expect(attributes.redrivePolicy == SQSRedrivePolicy(deadLetterTargetARN: "arn:aws:sqs:eu-west-1:1:dlq", maxReceiveCount: 5))
        #expect(SQSQueueAttributes([:]).redrivePolicy == nil)
    }
}
