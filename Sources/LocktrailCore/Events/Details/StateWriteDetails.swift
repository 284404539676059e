/// The details of `state.written`: a DynamoDB digest, or an S3 state object's size and what its
/// first bytes say (never its content), with where it was seen.
public struct StateWriteDetails: EventDetails, Hashable {
    /// The members of its own, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case digest
        case previousDigest = "previous_digest", previousETag = "previous_etag", baseline
        case size, serial, lineage
        case terraformVersion = "terraform_version", stateFormatVersion = "state_format_version", encrypted
        case headError = "head_error", timeBasis = "time_basis"
    }

    public static let kinds: [EventKind] = [.stateWritten]
    public static var contextMembers: [String] { ObservationContext.memberNames }

    /// Where the write was seen.
    public var context: ObservationContext
    /// The `-md5` item's digest (DynamoDB).
    public var digest: String?
    /// The digest before (DynamoDB).
    public var previousDigest: String?
    /// The ETag before (S3 listings).
    public var previousETag: String?
    /// Whether this is a source's first scan: written before locktrail watched.
    public var baseline: Bool
    /// The object's size (S3).
    public var size: Int64?
    /// What the object's first bytes say (S3); nil when they could not be read.
    public var head: StateHead?
    /// Why the head could not be read.
    public var headError: String?
    /// What the event's time rests on.
    public var timeBasis: TimeBasis?

    /// Details.
    public init(
        context: ObservationContext, digest: String? = nil, previousDigest: String? = nil, previousETag: String? = nil,
        baseline: Bool = false, size: Int64? = nil, head: StateHead? = nil, headError: String? = nil, timeBasis: TimeBasis? = nil
    ) {
        self.context = context
        self.digest = digest
        self.previousDigest = previousDigest
        self.previousETag = previousETag
        self.baseline = baseline
        self.size = size
        self.head = head
        self.headError = headError
        self.timeBasis = timeBasis
    }

    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>(context.object)
        d.setIfPresent(.digest, digest.map(JSONValue.string))
        d.setIfPresent(.previousDigest, previousDigest.map(JSONValue.string))
        d.setIfPresent(.previousETag, previousETag.map(JSONValue.string))
        d.flag(.baseline, baseline)
        d.setIfPresent(.size, size.map(JSONValue.int))
        switch head {
        case .state(let formatVersion, let terraformVersion, let serial, let lineage)?:
            d[.serial] = serial.map(JSONValue.int) ?? .null
            d[.lineage] = .optional(lineage)
            d[.terraformVersion] = .optional(terraformVersion)
            d[.stateFormatVersion] = formatVersion.map(JSONValue.int) ?? .null
            d[.encrypted] = false
        case .encrypted?:
            d[.serial] = .null
            d[.lineage] = .null
            d[.terraformVersion] = .null
            d[.encrypted] = true
        case .other?, nil:
            break
        }
        d.setIfPresent(.headError, headError.map(JSONValue.string))
        d.setIfPresent(.timeBasis, timeBasis?.json)
        return d.object
    }
}
