/// Where a lock was seen acquired: the mechanism (`dynamodb`, `s3-lockfile`, …), the state it
/// was seen on and, for a DynamoDB lock, its table.
public struct LockSighting: Hashable, Sendable {
    /// The mechanism that saw it, if the event named one.
    public var mechanism: Mechanism?
    /// The DynamoDB table, for DynamoDB sightings.
    public var table: String?
    /// The state the lock was seen on, if the event named one.
    public var state: String?

    /// A sighting.
    public init(mechanism: Mechanism?, table: String?, state: String? = nil) {
        self.mechanism = mechanism
        self.table = table
        self.state = state
    }
}
