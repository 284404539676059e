/// A lock as one mechanism holds it now: what `locktrail unlock` read from DynamoDB or the lock
/// file just before deciding.
public struct UnlockHolder: Hashable, Sendable {
    /// `.dynamodb` or `.s3Lockfile`.
    public var mechanism: Mechanism
    /// The lock record.
    public var record: LockRecord
    /// The record's text as stored: a DynamoDB delete is conditional on it being unchanged.
    public var raw: String

    /// A holder.
    public init(mechanism: Mechanism, record: LockRecord, raw: String) {
        self.mechanism = mechanism
        self.record = record
        self.raw = raw
    }
}
