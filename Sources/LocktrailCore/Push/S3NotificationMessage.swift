/// What one queue message body says about S3 objects: the notices it carries, or that it is
/// S3's test event. A body that is none of the shapes S3, SNS and EventBridge send is a poison
/// message (`S3NotificationError`): the caller leaves it to the queue's dead-letter queue.
public struct S3NotificationMessage: Hashable, Sendable {
    /// The object changes, in the order the body lists them; empty for a test event.
    public var notices: [S3Notice]
    /// Whether the body is `s3:TestEvent` (sent once when notifications are configured).
    public var isTestEvent: Bool
    /// How the body reached the queue.
    public var envelope: S3Notice.Envelope

    /// A decoded body.
    public init(notices: [S3Notice], isTestEvent: Bool = false, envelope: S3Notice.Envelope) {
        self.notices = notices
        self.isTestEvent = isTestEvent
        self.envelope = envelope
    }

    /// Decodes a message body: S3's own `Records[]` (keys URL-encoded), the same inside an SNS
    /// envelope's `Message`, an EventBridge `Object Created`/`Object Deleted` event (keys as
    /// they are), or the test event.
    public static func decode<Bytes: Collection<UInt8>>(_ body: Bytes) throws(S3NotificationError) -> S3NotificationMessage {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw S3NotificationError(reason: "the body is not JSON (\(error))")
        }
        return try decode(value, envelope: .direct)
    }

    /// Decodes a message body given as text.
    public static func decode(_ body: String) throws(S3NotificationError) -> S3NotificationMessage {
        try decode(Array(body.utf8))
    }

    private static func decode(_ value: JSONValue, envelope: S3Notice.Envelope) throws(S3NotificationError) -> S3NotificationMessage {
        guard case .object(let object) = value else { throw S3NotificationError(reason: "the body is not a JSON object") }
        if object["Event"]?.stringValue == "s3:TestEvent" {
            return S3NotificationMessage(notices: [], isTestEvent: true, envelope: envelope)
        }
        if case .array(let records)? = object["Records"] {
            var notices: [S3Notice] = []
            for (index, record) in records.enumerated() {
                notices.append(try notice(record: record, index: index, envelope: envelope))
            }
            return S3NotificationMessage(notices: notices, envelope: envelope)
        }
        if let type = object["Type"]?.stringValue, envelope == .direct {
            guard type == "Notification", let message = object["Message"]?.stringValue else {
                throw S3NotificationError(reason: "an SNS message of type \(type) carries no S3 notification")
            }
            let inner: JSONValue
            do {
                inner = try JSONParser.parse(message)
            } catch {
                throw S3NotificationError(reason: "the SNS Message is not JSON (\(error))")
            }
            return try decode(inner, envelope: .sns)
        }
        if let detailType = object["detail-type"]?.stringValue {
            guard object["source"]?.stringValue == "aws.s3" else {
                throw S3NotificationError(reason: "an EventBridge event from \(object["source"]?.stringValue ?? "no source"), not aws.s3")
            }
            return S3NotificationMessage(notices: [try eventBridgeNotice(object, detailType: detailType)], envelope: .eventBridge)
        }
        throw S3NotificationError(reason: "the body is neither an S3 notification, an SNS notification nor an EventBridge event")
    }

    private static func notice(record: JSONValue, index: Int, envelope: S3Notice.Envelope) throws(S3NotificationError) -> S3Notice {
        func fail(_ what: String) -> S3NotificationError { S3NotificationError(reason: "record \(index) \(what)") }
        guard record.objectValue != nil else { throw fail("is not an object") }
        if let source = record["eventSource"]?.stringValue, source != "aws:s3" { throw fail("comes from \(source), not aws:s3") }
        guard let eventName = record["eventName"]?.stringValue else { throw fail("has no eventName") }
        guard let bucket = record["s3"]?["bucket"]?["name"]?.stringValue, !bucket.isEmpty else { throw fail("has no s3.bucket.name") }
        guard let encodedKey = record["s3"]?["object"]?["key"]?.stringValue else { throw fail("has no s3.object.key") }
        guard let key = urlDecode(encodedKey), !key.isEmpty else { throw fail("has a key that is not URL-encoded UTF-8") }
        let object = record["s3"]?["object"]
        let timeText = record["eventTime"]?.stringValue
        return S3Notice(
            bucket: bucket, key: key, eventName: eventName, change: S3Notice.change(eventName: eventName),
            time: timeText.flatMap(parseTime), timeText: timeText,
            versionID: object?["versionId"]?.stringValue, eTag: object?["eTag"]?.stringValue,
            sequencer: object?["sequencer"]?.stringValue, size: object?["size"]?.numberValue.flatMap { Int64(exactly: $0) },
            principal: record["userIdentity"]?["principalId"]?.stringValue.map(AWSPrincipal.init(principalID:)),
            sourceIPAddress: record["requestParameters"]?["sourceIPAddress"]?.stringValue, envelope: envelope)
    }

    private static func eventBridgeNotice(_ event: [String: JSONValue], detailType: String) throws(S3NotificationError) -> S3Notice {
        let detail = event["detail"]
        guard let bucket = detail?["bucket"]?["name"]?.stringValue, !bucket.isEmpty else {
            throw S3NotificationError(reason: "the EventBridge event has no detail.bucket.name")
        }
        guard let key = detail?["object"]?["key"]?.stringValue, !key.isEmpty else {
            throw S3NotificationError(reason: "the EventBridge event has no detail.object.key")
        }
        let object = detail?["object"]
        let timeText = event["time"]?.stringValue
        return S3Notice(
            bucket: bucket, key: key, eventName: detailType, change: S3Notice.change(detailType: detailType),
            time: timeText.flatMap(parseTime), timeText: timeText,
            versionID: object?["version-id"]?.stringValue, eTag: object?["etag"]?.stringValue,
            sequencer: object?["sequencer"]?.stringValue, size: object?["size"]?.numberValue.flatMap { Int64(exactly: $0) },
            requester: detail?["requester"]?.stringValue, sourceIPAddress: detail?["source-ip-address"]?.stringValue,
            deletionType: detail?["deletion-type"]?.stringValue, envelope: .eventBridge)
    }

    /// RFC 3339; the emulator omits the zone (`2026-12-01T09:00:02.706972`), which is UTC. Year 0000
    /// parses but is no time an event can carry (PostgreSQL has no year 0): nil.
    static func parseTime(_ text: String) -> Timestamp? {
        guard let time = Timestamp(parsing: text) ?? Timestamp(parsing: text + "Z"), time.isSupported else { return nil }
        return time
    }

    /// Decodes an S3 notification key: form encoding, so `+` is a space and `%XX` a byte of UTF-8.
    public static func urlDecode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 65...70: c - 55
            case 97...102: c - 87
            default: nil
            }
        }
        while let c = iterator.next() {
            switch c {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let h = iterator.next().flatMap(hex), let l = iterator.next().flatMap(hex) else { return nil }
                bytes.append(h << 4 | l)
            default: bytes.append(c)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// A queue message that is not an S3 notification locktrail can read: a poison message.
public struct S3NotificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with it.
    public var reason: String

    /// An error.
    public init(reason: String) { self.reason = reason }

    /// One sentence (the body itself is not repeated: it may be large).
    public var description: String { "Queue message is not a readable S3 event notification: \(reason)." }
}
