import Foundation
import LocktrailCore
import Testing

@Suite("S3 notification bodies")
struct S3NotificationMessageTests {
    /// A record as AWS sends it (eventVersion 2.1), key URL-encoded.
    static func record(
        _ name: String = "ObjectCreated:Put", key: String = "env%3A%2Fdev%2Fapp+b%2Fterraform.tfstate.tflock",
        principal: String = "AWS:AROAEXAMPLEID:run-1"
    ) -> String {
        #"{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventTime":"2025-03-04T05:06:07.123Z","eventName":"\#(name)","userIdentity":{"principalId":"\#(principal)"},"requestParameters":{"sourceIPAddress":"203.0.113.7"},"responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8"},"s3":{"s3SchemaVersion":"1.0","configurationId":"locktrail","bucket":{"name":"tf-state","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::tf-state"},"object":{"key":"\#(key)","size":190,"eTag":"d41d8cd98f00b204e9800998ecf8427e","versionId":"096fKKXTRTtl3on89fVO.nfljtsv6qko","sequencer":"0055AED6DCD90281E5"}}}"#
    }

    static func direct(_ records: String...) -> String { #"{"Records":[\#(records.joined(separator: ","))]}"# }

    /// `text` as a JSON string literal (what SNS does with the S3 JSON in `Message`).
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func sns(_ message: String) -> String {
        #"{"Type":"Notification","MessageId":"22b80b92","TopicArn":"arn:aws:sns:eu-west-1:123456789012:tf","Subject":"Amazon S3 Notification","Message":\#(quoted(message)),"Timestamp":"2025-03-04T05:06:07.200Z","SignatureVersion":"1","Signature":"EXAMPLE"}"#
    }

    static func eventBridge(
        _ type: String = "Object Created", key: String = "env:/dev/app b/terraform.tfstate.tflock", source: String = "aws.s3"
    ) -> String {
        #"{"version":"0","id":"2ee9cc15","detail-type":"\#(type)","source":"\#(source)","account":"123456789012","time":"2025-03-04T05:06:07Z","region":"eu-west-1","resources":["arn:aws:s3:::tf-state"],"detail":{"version":"0","bucket":{"name":"tf-state"},"object":{"key":"\#(key)","etag":"d41d8cd98f00b204e9800998ecf8427e","version-id":"IYV3p45BT0ac8hjHg1houSdS1a.Mro8e","sequencer":"617f08299329d189"},"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"203.0.113.8","reason":"DeleteObject","deletion-type":"Delete Marker Created"}}"#
    }

    static let testEvent =
        #"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2025-03-04T05:06:07.000Z","Bucket":"tf-state","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}"#

    @Test(
        "direct, SNS-wrapped and EventBridge bodies name the same lock file",
        arguments: [
            (direct(record()), S3Notice.Envelope.direct, "ObjectCreated:Put"),
            (sns(direct(record())), .sns, "ObjectCreated:Put"),
            (eventBridge(), .eventBridge, "Object Created"),
        ])
    func envelopes(body: String, envelope: S3Notice.Envelope, eventName: String) throws {
        let message = try S3NotificationMessage.decode(body)
        #expect(message.envelope == envelope && !message.isTestEvent)
        let notice = try #require(message.notices.first)
        #expect(message.notices.count == 1)
        #expect(notice.bucket == "tf-state")
        #expect(notice.key == "env:/dev/app b/terraform.tfstate.tflock")
        #expect(notice.eventName == eventName && notice.change == .created && notice.envelope == envelope)
        #expect(notice.keyRole == .lockFile)
        #expect(notice.state()?.lockPath == "tf-state/env:/dev/app b/terraform.tfstate")
        #expect(notice.state()?.workspace == "dev")
        #expect(notice.eTag == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(notice.versionID != nil && notice.sequencer != nil)
        #expect(notice.time != nil)
    }

    @Test("the direct record's fields")
    func directFields() throws {
        let notice = try #require(try S3NotificationMessage.decode(Self.direct(Self.record())).notices.first)
        #expect(notice.time == Timestamp(parsing: "2025-03-04T05:06:07.123Z"))
        #expect(notice.timeText == "2025-03-04T05:06:07.123Z")
        #expect(notice.versionID == "096fKKXTRTtl3on89fVO.nfljtsv6qko")
        #expect(notice.sequencer == "0055AED6DCD90281E5")
        #expect(notice.size == 190)
        #expect(notice.principal == AWSPrincipal(principalID: "AWS:AROAEXAMPLEID:run-1"))
        #expect(notice.sourceIPAddress == "203.0.113.7")
        #expect(notice.requester == nil)
        let bridged = try #require(try S3NotificationMessage.decode(Self.eventBridge("Object Deleted")).notices.first)
        #expect(bridged.change == .removed && bridged.deletionType == "Delete Marker Created")
        #expect(bridged.principal == nil && bridged.requester == "123456789012" && bridged.sourceIPAddress == "203.0.113.8")
    }

    @Test(
        "event names and detail types",
        arguments: [
            ("ObjectCreated:Put", S3Notice.Change.created), ("ObjectCreated:CompleteMultipartUpload", .created), ("ObjectCreated:Copy", .created),
            ("ObjectRemoved:Delete", .removed), ("ObjectRemoved:DeleteMarkerCreated", .removed),
            ("LifecycleExpiration:DeleteMarkerCreated", .removed),
            ("ObjectTagging:Put", .other), ("ObjectRestore:Completed", .other),
        ])
    func eventNames(name: String, change: S3Notice.Change) throws {
        #expect(S3Notice.change(eventName: name) == change)
        #expect(try S3NotificationMessage.decode(Self.direct(Self.record(name))).notices.first?.change == change)
    }

    @Test(
        "keys: URL-decoded in S3's records, as they are from EventBridge; classified",
        arguments: [
            ("app%2Fterraform.tfstate", "app/terraform.tfstate", S3Notice.KeyRole.state),
            ("env%3A%2Fdev%2Fapp%2Fterraform.tfstate.tflock", "env:/dev/app/terraform.tfstate.tflock", .lockFile),
            ("a+b%2Bc%25d.tfstate", "a b+c%d.tfstate", .state),
            ("caf%C3%A9%2Fterraform.tfstate", "café/terraform.tfstate", .state),
            ("app%2Fterraform.tfstate.backup", "app/terraform.tfstate.backup", .other),
            ("app%2Fplan.out", "app/plan.out", .other),
        ])
    func keys(encoded: String, key: String, role: S3Notice.KeyRole) throws {
        let notice = try #require(try S3NotificationMessage.decode(Self.direct(Self.record(key: encoded))).notices.first)
        #expect(notice.key == key)
        #expect(notice.keyRole == role)
        let bridged = try #require(try S3NotificationMessage.decode(Self.eventBridge(key: key)).notices.first)
        #expect(bridged.key == key)
    }

    @Test("several records in one body keep their order")
    func severalRecords() throws {
        let message = try S3NotificationMessage.decode(
            Self.direct(Self.record(), Self.record("ObjectRemoved:Delete", key: "app%2Fterraform.tfstate")))
        #expect(message.notices.map(\.change) == [.created, .removed])
        #expect(message.notices.map(\.key) == ["env:/dev/app b/terraform.tfstate.tflock", "app/terraform.tfstate"])
    }

    @Test("the test event, directly or through SNS, carries no records")
    func testEvents() throws {
        for body in [Self.testEvent, Self.sns(Self.testEvent)] {
            let message = try S3NotificationMessage.decode(body)
            #expect(message.isTestEvent && message.notices.isEmpty)
        }
    }

    @Test("the emulator's eventTime without a zone is UTC")
    func zonelessTime() throws {
        let body = Self.direct(Self.record()).replacingOccurrences(of: "2025-03-04T05:06:07.123Z", with: "2025-03-04T05:06:07.706972")
        #expect(try S3NotificationMessage.decode(body).notices.first?.time == Timestamp(parsing: "2025-03-04T05:06:07.706972Z"))
    }

    @Test("numbers and times that are no size or time are left out, not trusted")
    func hostileValues() throws {
        let body = Self.direct(Self.record()).replacingOccurrences(of: #""size":190"#, with: #""size":1e300"#)
            .replacingOccurrences(of: "2025-03-04T05:06:07.123Z", with: "0000-01-01T00:00:00Z")
        let notice = try #require(try S3NotificationMessage.decode(body).notices.first)
        #expect(notice.size == nil)
        #expect(notice.time == nil && notice.timeText == "0000-01-01T00:00:00Z")
    }

    @Test(
        "anything else is a poison message with a reason",
        arguments: [
            "", "not json", "[1,2]", #"{"hello":"world"}"#,
            #"{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#,
            #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"k"}}}]}"#,
            #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}"#,
            #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"bad%zz"}}}]}"#,
            #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%FF%FE"}}}]}"#,
            #"{"Records":[{"eventSource":"aws:sqs","eventName":"x"}]}"#,
            #"{"Records":[7]}"#,
            #"{"Type":"SubscriptionConfirmation","Message":"You have chosen to subscribe"}"#,
            #"{"Type":"Notification","Message":"not json"}"#,
            #"{"Type":"Notification","Message":"{\"Type\":\"Notification\",\"Message\":\"{}\"}"}"#,
            eventBridge(source: "aws.ec2"),
            #"{"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"}}}"#,
        ])
    func poison(body: String) {
        #expect(throws: S3NotificationError.self) { try S3NotificationMessage.decode(body) }
    }
}
