public import Foundation

/// One received SQS message.
public struct SQSMessage: Sendable, Hashable, Decodable {
    /// The message id SQS assigned when it was sent (the same on every delivery).
    public var messageID: String
    /// What deletes this delivery (a new one on every receive).
    public var receiptHandle: String
    /// The body as sent: for S3 notifications, JSON (direct, in an SNS envelope, or from EventBridge).
    public var body: String
    /// The MD5 of the body, hex.
    public var md5OfBody: String?
    /// The system attributes that were asked for, as SQS sends them (all strings).
    public var attributes: [String: String]

    /// A message.
    public init(messageID: String, receiptHandle: String, body: String, md5OfBody: String? = nil, attributes: [String: String] = [:]) {
        self.messageID = messageID
        self.receiptHandle = receiptHandle
        self.body = body
        self.md5OfBody = md5OfBody
        self.attributes = attributes
    }

    /// How often it has been received, this time included: above 1 it was delivered before and not deleted.
    public var approximateReceiveCount: Int? { attributes["ApproximateReceiveCount"].flatMap { Int($0) } }

    /// When it was sent to the queue (SQS keeps milliseconds).
    public var sentTimestamp: Date? {
        attributes["SentTimestamp"].flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0 / 1000) }
    }

    private enum CodingKeys: String, CodingKey { case MessageId, ReceiptHandle, Body, MD5OfBody, Attributes }

    /// Decodes the AWS shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try container.decode(String.self, forKey: .MessageId)
        receiptHandle = try container.decode(String.self, forKey: .ReceiptHandle)
        body = try container.decodeIfPresent(String.self, forKey: .Body) ?? ""
        md5OfBody = try container.decodeIfPresent(String.self, forKey: .MD5OfBody)
        attributes = try container.decodeIfPresent([String: String].self, forKey: .Attributes) ?? [:]
    }
}

/// What a batch call did with each entry.
public struct SQSBatchResult: Sendable, Decodable {
    /// One entry that failed.
    public struct Failure: Sendable, Hashable, Decodable {
        /// The entry's id in the call.
        public var id: String
        /// The error code, e.g. `ReceiptHandleIsInvalid`.
        public var code: String
        /// SQS's explanation.
        public var message: String?
        /// Whether the request was at fault (not worth retrying as it is).
        public var senderFault: Bool

        private enum CodingKeys: String, CodingKey { case Id, Code, Message, SenderFault }

        /// Decodes the AWS shape.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .Id)
            code = try container.decodeIfPresent(String.self, forKey: .Code) ?? ""
            message = try container.decodeIfPresent(String.self, forKey: .Message)
            senderFault = try container.decodeIfPresent(Bool.self, forKey: .SenderFault) ?? false
        }
    }

    /// The ids of the entries that succeeded.
    public var successful: [String]
    /// The entries that failed, with why.
    public var failed: [Failure]

    private enum CodingKeys: String, CodingKey { case Successful, Failed }
    private struct Success: Decodable { var Id: String }

    /// Decodes the AWS shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        successful = try (container.decodeIfPresent([Success].self, forKey: .Successful) ?? []).map(\.Id)
        failed = try container.decodeIfPresent([Failure].self, forKey: .Failed) ?? []
    }
}
