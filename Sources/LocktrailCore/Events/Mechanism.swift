/// Which locking mechanism an event concerns. A closed set: an event names one of these or none,
/// and a name read from the log that is none of them is an error that names it.
public enum Mechanism: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A DynamoDB lock table's item (`dynamodb_table`), seen by a scan or a stream.
    case dynamodb
    /// A native S3 lock file (`use_lockfile = true`, `<state key>.tflock`).
    case s3Lockfile = "s3-lockfile"
    /// A state object in S3 (its versions or its ETag).
    case s3State = "s3-state"
    /// A wrapper hook's report (`locktrail wrap`, `locktrail hook emit`).
    case hook

    /// Every mechanism: the one registry (docs/events.md is checked against it).
    public static let registry: [Mechanism] = allCases

    public var description: String { rawValue }
}
