/// The details of `source.coverage_gap`: the period a source did not observe, why, and what it
/// concerns (the table or bucket; for one state's pruned history, the object and version).
public struct CoverageGapDetails: EventDetails, Hashable {
    /// The members, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case from, to, reason, table, bucket
        case objectKey = "object_key", versionID = "version_id"
        case resynchronisedBy = "resynchronised_by", streamARN = "stream_arn"
    }

    public static let kinds: [EventKind] = [.coverageGap]

    /// Since when the source did not observe (exclusive).
    public var from: Timestamp
    /// Until when (inclusive).
    public var to: Timestamp
    /// Why, in words.
    public var reason: String
    /// The lock table, for a DynamoDB source.
    public var table: String?
    /// The bucket, for an S3 source.
    public var bucket: String?
    /// The object whose history was pruned.
    public var objectKey: String?
    /// The delete marker with no version before it.
    public var versionID: String?
    /// How the source caught up after the gap (`scan`: a stream that could not be resumed).
    public var resynchronisedBy: String?
    /// The stream that could not be resumed (DynamoDB Streams), when known.
    public var streamARN: String?

    /// Details.
    public init(
        from: Timestamp, to: Timestamp, reason: String, table: String? = nil, bucket: String? = nil,
        objectKey: String? = nil, versionID: String? = nil, resynchronisedBy: String? = nil, streamARN: String? = nil
    ) {
        self.resynchronisedBy = resynchronisedBy
        self.streamARN = streamARN
        self.from = from
        self.to = to
        self.reason = reason
        self.table = table
        self.bucket = bucket
        self.objectKey = objectKey
        self.versionID = versionID
    }

    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>()
        d[.from] = .string(from.rfc3339)
        d[.to] = .string(to.rfc3339)
        d[.reason] = .string(reason)
        d.setIfPresent(.table, table.map(JSONValue.string))
        d.setIfPresent(.bucket, bucket.map(JSONValue.string))
        d.setIfPresent(.objectKey, objectKey.map(JSONValue.string))
        d.setIfPresent(.versionID, versionID.map(JSONValue.string))
        d.setIfPresent(.resynchronisedBy, resynchronisedBy.map(JSONValue.string))
        d.setIfPresent(.streamARN, streamARN.map(JSONValue.string))
        return d.object
    }
}
