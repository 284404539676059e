/// A lock as one mechanism holds it now: what `locktrail unlock` read from DynamoDB or the lock
/// file just before deciding.
public struct UnlockHolder: Hashable, Sendable {
    /// `dynamodb` or `s3-lockfile`.
    public var mechanism: String
    /// The lock record.
    public var record: LockRecord
    /// The record's text as stored: a DynamoDB delete is conditional on it being unchanged.
    public var raw: String

    /// A holder.
    public init(mechanism: String, record: LockRecord, raw: String) {
        self.mechanism = mechanism
        self.record = record
        self.raw = raw
    }
}
