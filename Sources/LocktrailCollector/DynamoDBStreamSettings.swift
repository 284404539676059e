public import LocktrailAWS

/// How a lock-table source reads its table's stream.
public struct DynamoDBStreamSettings: Sendable {
    /// The Streams client for the table's account and region.
    public var client: DynamoDBStreamsClient
    /// Seconds between reconciliation scans (`--reconcile-interval`, default 10 minutes).
    public var reconcileInterval: Double
    /// Seconds between reads of a stream that is caught up.
    public var pollInterval: Double
    /// Records per commit.
    public var batch: Int
    /// Seconds between DescribeTable calls that look for a stream turned on, off or replaced.
    public var describeInterval: Double

    /// Settings.
    public init(
        client: DynamoDBStreamsClient, reconcileInterval: Double = 600, pollInterval: Double = 1, batch: Int = 10_000,
        describeInterval: Double = 60
    ) {
        self.client = client
        self.reconcileInterval = reconcileInterval
        self.pollInterval = pollInterval
        self.batch = max(1, batch)
        self.describeInterval = describeInterval
    }
}
