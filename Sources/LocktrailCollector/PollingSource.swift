import Logging
import LocktrailCore
import LocktrailPostgres

/// A source the collector polls: each cycle observes once and commits its events together with
/// what it saw, in one transaction.
public protocol PollingSource: Sendable {
    /// The source name recorded in every event, e.g. `dynamodb:us-east-1/locks` or `s3:bucket/prefix`.
    var name: String { get }
    /// Observes once and records what changed; a failure is recorded against the source and rethrown.
    func runCycle(pool: PostgresPool, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport
}

extension DynamoDBLockTableSource: PollingSource {}
