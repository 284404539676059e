import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailHTTP
import Testing

/// The SQS client against the local AWS emulator: a bucket's notifications received from a queue
/// and decoded by the core, then SNS- and EventBridge-shaped bodies put on the queue as AWS sends them.
@Suite("SQS against moto", .serialized)
struct SQSIntegrationTests {
    /// Receives until `count` messages have arrived or a few long polls came back empty.
    static func receive(_ sqs: SQSClient, _ url: String, count: Int) async throws -> [SQSMessage] {
        var messages: [SQSMessage] = []
        var emptyPolls = 0
        while messages.count < count, emptyPolls < 3 {
            let batch = try await sqs.receiveMessages(queueURL: url, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 30)
            if batch.isEmpty { emptyPolls += 1 }
            messages += batch
        }
        return messages
    }

    @Test("a lock file's notification: test event, ObjectCreated:Put with its URL-encoded key, deleted in a batch")
    func bucketNotifications() async throws {
        try await withMoto { moto in
            let sqs = try PushFixtures.sqs(moto)
            let s3 = try PushFixtures.s3(moto)
            let dlqURL = try await PushFixtures.createQueue(sqs, "locktrail-dlq")
            let dlqARN = try #require(try await sqs.getQueueAttributes(queueURL: dlqURL, names: ["QueueArn"]).queueARN)
            let url = try await PushFixtures.createQueue(
                sqs, "locktrail-notices", attributes: ["RedrivePolicy": #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":"3"}"#])
            let attributes = try await sqs.getQueueAttributes(queueURL: url)
            #expect(attributes.redrivePolicy?.deadLetterTargetARN == dlqARN)
            #expect(attributes.redrivePolicy?.maxReceiveCount == 3)
            #expect(attributes.approximateNumberOfMessages == 0)
            #expect(try await sqs.getQueueAttributes(queueURL: dlqURL).redrivePolicy == nil)

            let bucket = "tf-state-\(UUID().uuidString.prefix(8).lowercased())"
            try await s3.createBucket(bucket: bucket)
            try await PushFixtures.notifyQueue(moto, bucket: bucket, queueARN: try #require(attributes.queueARN))
            let lockKey = "env:/dev/app b/terraform.tfstate.tflock"
            let record =
                #"{"ID":"f9763602-b03f-e35c-da30-4083cdbb99ae","Operation":"OperationTypeApply","Info":"","Who":"alice@build-01","Version":"1.11.4","Created":"2025-03-04T05:06:07.123456789Z","Path":"\#(bucket)/env:/dev/app b/terraform.tfstate"}"#
            try await s3.putObject(bucket: bucket, key: lockKey, body: Array(record.utf8), contentType: "application/json", ifNoneMatch: "*")
            try await s3.deleteObject(bucket: bucket, key: lockKey)

            let messages = try await Self.receive(sqs, url, count: 3)
            #expect(messages.count == 3)
            #expect(messages.allSatisfy { $0.approximateReceiveCount == 1 && $0.sentTimestamp != nil })
            let decoded = try messages.map { try S3NotificationMessage.decode($0.body) }
            #expect(decoded.filter(\.isTestEvent).count == 1)
            let notices = decoded.flatMap(\.notices)
            #expect(notices.map(\.eventName) == ["ObjectCreated:Put", "ObjectRemoved:Delete"])
            #expect(notices.map(\.change) == [.created, .removed])
            #expect(notices.allSatisfy { $0.bucket == bucket && $0.key == lockKey && $0.keyRole == .lockFile && $0.envelope == .direct })
            #expect(notices.first?.state()?.lockPath == "\(bucket)/env:/dev/app b/terraform.tfstate")
            #expect(notices.first?.state()?.workspace == "dev")
            #expect(notices.first?.eTag != nil && notices.first?.size == Int64(record.utf8.count))
            #expect(notices.allSatisfy { $0.time != nil })  // the emulator's zone-less eventTime is read as UTC
            #expect(notices.allSatisfy { $0.principal == nil })  // the emulator sends no principal

            let result = try await sqs.deleteMessageBatch(
                queueURL: url, entries: messages.enumerated().map { (String($0.offset), $0.element.receiptHandle) } + [("stale", "not-a-handle")])
            #expect(result.successful.sorted() == ["0", "1", "2"])
            #expect(result.failed.map(\.id) == ["stale"])
            #expect(try await sqs.receiveMessages(queueURL: url, waitSeconds: 0).isEmpty)

            let missing = await #expect(throws: AWSError.self) {
                _ = try await sqs.receiveMessages(queueURL: url + "-absent", waitSeconds: 0)
            }
            #expect(missing?.code == .queueDoesNotExist)
        }
    }

    @Test("SNS-wrapped, EventBridge and malformed bodies as AWS sends them: decoded, or a poison message")
    func envelopes() async throws {
        try await withMoto { moto in
            let sqs = try PushFixtures.sqs(moto)
            let url = try await PushFixtures.createQueue(sqs, "locktrail-envelopes")
            let s3Record =
                #"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventTime":"2025-03-04T05:06:07.123Z","eventName":"ObjectRemoved:DeleteMarkerCreated","userIdentity":{"principalId":"AWS:AROAEXAMPLEID:terraform-session-2"},"requestParameters":{"sourceIPAddress":"203.0.113.7"},"s3":{"s3SchemaVersion":"1.0","bucket":{"name":"tf-state"},"object":{"key":"env%3A%2Fprod%2Fnet%2Fterraform.tfstate.tflock","versionId":"3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY","sequencer":"0055AED6DCD90281E5"}}}]}"#
            let sns = try String(
                decoding: JSONSerialization.data(withJSONObject: [
                    "Type": "Notification", "MessageId": "1", "TopicArn": "arn:aws:sns:eu-west-1:123456789012:tf",
                    "Subject": "Amazon S3 Notification",
                    "Message": s3Record, "Timestamp": "2025-03-04T05:06:07.200Z",
                ]), as: UTF8.self)
            let eventBridge =
                #"{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created","source":"aws.s3","account":"123456789012","time":"2025-03-04T05:06:07Z","region":"eu-west-1","resources":["arn:aws:s3:::tf-state"],"detail":{"version":"0","bucket":{"name":"tf-state"},"object":{"key":"env:/prod/net/terraform.tfstate.tflock","size":190,"etag":"b1946ac92492d2347c6235b4d2611184","version-id":"IYV3p45BT0ac8hjHg1houSdS1a.Mro8e","sequencer":"617f08299329d189"},"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"203.0.113.8","reason":"PutObject"}}"#
            for body in [sns, eventBridge, "not json at all"] { try await PushFixtures.sendMessage(sqs, queueURL: url, body: body) }

            let messages = try await Self.receive(sqs, url, count: 3)
            #expect(messages.count == 3)
            var decoded: [S3NotificationMessage] = []
            var poison: [S3NotificationError] = []
            for message in messages {
                do throws(S3NotificationError) { decoded.append(try S3NotificationMessage.decode(message.body)) } catch { poison.append(error) }
            }
            #expect(poison.count == 1)
            let byEnvelope = Dictionary(uniqueKeysWithValues: decoded.map { ($0.envelope, $0.notices) })
            let removal = try #require(byEnvelope[.sns]?.first)
            #expect(removal.key == "env:/prod/net/terraform.tfstate.tflock")
            #expect(removal.change == .removed && removal.versionID == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
            #expect(removal.principal?.kind == .assumedRole && removal.principal?.session == "terraform-session-2")
            #expect(removal.sourceIPAddress == "203.0.113.7")
            let creation = try #require(byEnvelope[.eventBridge]?.first)
            #expect(creation.key == removal.key && creation.change == .created && creation.requester == "123456789012")
            #expect(creation.time == Timestamp(parsing: "2025-03-04T05:06:07Z"))
            #expect(creation.state()?.lockPath == "tf-state/env:/prod/net/terraform.tfstate")

            // The same role under another session: not evidence of someone else.
            let creator = AWSPrincipal(principalID: "AWS:AROAEXAMPLEID:terraform-session-1")
            #expect(removal.principal.map { creator.compared(with: $0) } == .same)
            for message in messages { try await sqs.deleteMessage(queueURL: url, receiptHandle: message.receiptHandle) }
            #expect(try await sqs.getQueueAttributes(queueURL: url).approximateNumberOfMessages == 0)
        }
    }
}
