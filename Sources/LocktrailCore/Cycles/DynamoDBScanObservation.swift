/// What one Scan of a DynamoDB lock table saw, without AWS types, and when.
public struct DynamoDBScanObservation: Sendable {
    /// What the Scan returned.
    public enum Result: Sendable {
        /// Every item of the table.
        case items([LockTableItem])
        /// The table does not exist.
        case tableMissing
    }

    /// What the Scan returned.
    public var result: Result
    /// When the Scan started.
    public var started: Timestamp
    /// When its last page arrived.
    public var completed: Timestamp

    /// An observation.
    public init(_ result: Result, started: Timestamp, completed: Timestamp) {
        self.result = result
        self.started = started
        self.completed = completed
    }
}
