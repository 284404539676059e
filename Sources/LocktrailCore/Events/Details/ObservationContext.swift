/// Where a source saw what an event records, as the members every event of that source carries
/// in its details: the DynamoDB table and scan bounds, the stream record, or the S3 object.
public enum ObservationContext: Hashable, Sendable {
    /// A scan of a DynamoDB lock table: `table`, `scan_after` (null on the first scan), `scan_not_after`.
    case dynamoDBScan(table: String, window: ScanWindow)
    /// A DynamoDB stream record: `table`, `stream_arn`, `sequence_number`, `stream_event`,
    /// `event_id`, `shard_id`, and `approximate_creation`/`removed_by` when it has them.
    case dynamoDBStream(StreamRecordContext)
    /// An S3 object or version: `bucket`, `object_key`, `version_id`, `etag` (null when none).
    case s3Object(bucket: String, key: String, versionID: String?, etag: String?)
    /// An S3 object seen by a listing scan: the object's members and the scan bounds.
    case s3Scan(bucket: String, key: String, versionID: String?, etag: String?, window: ScanWindow)

    /// The members, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case table
        case scanAfter = "scan_after", scanNotAfter = "scan_not_after"
        case streamARN = "stream_arn", sequenceNumber = "sequence_number", streamEvent = "stream_event"
        case eventID = "event_id", shardID = "shard_id", approximateCreation = "approximate_creation", removedBy = "removed_by"
        case bucket
        case objectKey = "object_key", versionID = "version_id", etag
    }

    /// The members of every context.
    public static let memberNames = Member.allCases.map(\.rawValue)

    /// This context's members.
    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>()
        func scan(_ window: ScanWindow) {
            d[.scanAfter] = .optional(window.previousStarted?.rfc3339)
            d[.scanNotAfter] = .string(window.completed.rfc3339)
        }
        func object(_ bucket: String, _ key: String, _ versionID: String?, _ etag: String?) {
            d[.bucket] = .string(bucket)
            d[.objectKey] = .string(key)
            d[.versionID] = .optional(versionID)
            d[.etag] = .optional(etag)
        }
        switch self {
        case .dynamoDBScan(let table, let window):
            d[.table] = .string(table)
            scan(window)
        case .dynamoDBStream(let record):
            d[.table] = .string(record.table)
            d[.streamARN] = .string(record.streamARN)
            d[.sequenceNumber] = .string(record.sequenceNumber)
            d[.streamEvent] = .string(record.streamEvent)
            d[.eventID] = .optional(record.eventID)
            d[.shardID] = .optional(record.shardID)
            d.setIfPresent(.approximateCreation, record.approximateCreation.map { .string($0.rfc3339) })
            d.setIfPresent(.removedBy, record.removedBy.map(JSONValue.string))
        case .s3Object(let bucket, let key, let versionID, let etag):
            object(bucket, key, versionID, etag)
        case .s3Scan(let bucket, let key, let versionID, let etag, let window):
            object(bucket, key, versionID, etag)
            scan(window)
        }
        return d.object
    }
}
