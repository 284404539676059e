import Foundation

/// A queue's attributes as GetQueueAttributes returns them, with the ones locktrail reads typed.
public struct SQSQueueAttributes: Sendable, Equatable {
    /// Every attribute as SQS sent it.
    public var raw: [String: String]

    /// Wraps the attributes.
    public init(_ raw: [String: String]) { self.raw = raw }

    /// The queue ARN.
    public var queueARN: String? { raw["QueueArn"] }

    /// Messages waiting to be received.
    public var approximateNumberOfMessages: Int? { raw["ApproximateNumberOfMessages"].flatMap { Int($0) } }

    /// Messages received and not yet deleted (in flight).
    public var approximateNumberOfMessagesNotVisible: Int? { raw["ApproximateNumberOfMessagesNotVisible"].flatMap { Int($0) } }

    /// The queue's visibility timeout in seconds.
    public var visibilityTimeout: Int? { raw["VisibilityTimeout"].flatMap { Int($0) } }

    /// Where messages received too often go; nil when the queue has no dead-letter queue (a poison
    /// message then comes back until it expires) or the policy cannot be read.
    public var redrivePolicy: SQSRedrivePolicy? { raw["RedrivePolicy"].flatMap(SQSRedrivePolicy.init(json:)) }
}

/// A queue's `RedrivePolicy`: its dead-letter queue and after how many receives a message goes there.
public struct SQSRedrivePolicy: Sendable, Equatable {
    /// The dead-letter queue's ARN.
    public var deadLetterTargetARN: String
    /// Receives after which a message moves to the dead-letter queue.
    public var maxReceiveCount: Int?

    /// A policy.
    public init(deadLetterTargetARN: String, maxReceiveCount: Int?) {
        self.deadLetterTargetARN = deadLetterTargetARN
        self.maxReceiveCount = maxReceiveCount
    }

    /// Reads the policy's JSON text; `maxReceiveCount` may be a number or a string (both are seen).
    public init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let target = object["deadLetterTargetArn"] as? String, !target.isEmpty
        else { return nil }
        deadLetterTargetARN = target
        switch object["maxReceiveCount"] {
        case let number as NSNumber: maxReceiveCount = number.intValue
        case let text as String: maxReceiveCount = Int(text)
        default: maxReceiveCount = nil
        }
    }
}
