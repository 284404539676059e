/// One S3 object change as an event notification reports it, whichever way it came (directly,
/// through SNS, or from EventBridge), with the key already decoded.
public struct S3Notice: Hashable, Sendable {
    /// What happened to the object.
    public enum Change: String, Hashable, Sendable {
        /// `ObjectCreated:*` / `Object Created`: a new version (a lock taken, a state written).
        case created
        /// `ObjectRemoved:*`, `LifecycleExpiration:*` / `Object Deleted`: deleted or a delete marker added.
        case removed
        /// Anything else (tagging, ACL, restore, …): nothing for locktrail to read.
        case other
    }

    /// How the notice reached the queue.
    public enum Envelope: String, Hashable, Sendable {
        /// S3 sent it to the queue itself.
        case direct
        /// Inside an SNS notification's `Message`.
        case sns
        /// An EventBridge event.
        case eventBridge = "eventbridge"
    }

    /// What kind of object the key names.
    public enum KeyRole: String, Hashable, Sendable {
        /// A native lock file (`*.tflock`).
        case lockFile = "lock_file"
        /// Named like a state (`*.tfstate`).
        case state
        /// Anything else (a state under an unusual key is found by reading it).
        case other
    }

    /// The bucket.
    public var bucket: String
    /// The object key, decoded.
    public var key: String
    /// The event name as sent: `ObjectCreated:Put`, `ObjectRemoved:DeleteMarkerCreated`, `Object Deleted`, ….
    public var eventName: String
    /// What the event name means.
    public var change: Change
    /// When S3 finished the request, if the time could be read.
    public var time: Timestamp?
    /// The time as sent.
    public var timeText: String?
    /// The version (or delete marker) id on a versioned bucket.
    public var versionID: String?
    /// The ETag (created objects).
    public var eTag: String?
    /// Orders the events of one key: longer-is-later hex, compared after padding.
    public var sequencer: String?
    /// The object size (created objects).
    public var size: Int64?
    /// Who made the request (direct and SNS notices; EventBridge names only an account, see `requester`).
    public var principal: AWSPrincipal?
    /// EventBridge's `requester`: the account id or service that made the request.
    public var requester: String?
    /// The request's source IP address.
    public var sourceIPAddress: String?
    /// EventBridge's `deletion-type` (`Delete Marker Created`, `Permanently Deleted`) or `reason`.
    public var deletionType: String?
    /// How it arrived.
    public var envelope: Envelope

    /// A notice.
    public init(
        bucket: String, key: String, eventName: String, change: Change, time: Timestamp? = nil, timeText: String? = nil,
        versionID: String? = nil, eTag: String? = nil, sequencer: String? = nil, size: Int64? = nil,
        principal: AWSPrincipal? = nil, requester: String? = nil, sourceIPAddress: String? = nil,
        deletionType: String? = nil, envelope: Envelope
    ) {
        self.bucket = bucket
        self.key = key
        self.eventName = eventName
        self.change = change
        self.time = time
        self.timeText = timeText
        self.versionID = versionID
        self.eTag = eTag
        self.sequencer = sequencer
        self.size = size
        self.principal = principal
        self.requester = requester
        self.sourceIPAddress = sourceIPAddress
        self.deletionType = deletionType
        self.envelope = envelope
    }

    /// What kind of object the key names.
    public var keyRole: KeyRole {
        if StateIdentity(bucket: bucket, lockFileKey: key) != nil { return .lockFile }
        return StateHead.looksLikeStateKey(key) ? .state : .other
    }

    /// The state the object concerns: the lock file's state, or the state stored at the key.
    public func state(layout: WorkspaceLayout = .standard) -> StateIdentity? {
        switch keyRole {
        case .lockFile: StateIdentity(bucket: bucket, lockFileKey: key, layout: layout)
        case .state: StateIdentity(bucket: bucket, key: key, layout: layout)
        case .other: nil
        }
    }

    /// The change an S3 notification event name means (`ObjectCreated:Put` → created).
    public static func change(eventName: String) -> Change {
        let family = eventName.split(separator: ":", maxSplits: 1).first.map(String.init) ?? eventName
        switch family {
        case "ObjectCreated": return .created
        case "ObjectRemoved", "LifecycleExpiration": return .removed
        default: return .other
        }
    }

    /// The change an EventBridge `detail-type` means.
    public static func change(detailType: String) -> Change {
        switch detailType {
        case "Object Created": .created
        case "Object Deleted": .removed
        default: .other
        }
    }
}
