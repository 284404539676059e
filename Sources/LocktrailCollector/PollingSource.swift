import Logging
import LocktrailCore
import LocktrailPostgres
import LocktrailStore

/// A source the collector polls: each cycle observes once and commits its events together with
/// what it saw, in one transaction.
public protocol PollingSource: Sendable {
    /// The source name recorded in every event, e.g. `dynamodb:us-east-1/locks` or `s3:bucket/prefix`.
    var name: String { get }
    /// Observes once and records what changed; a failure is recorded against the source and rethrown.
    func runCycle(pool: PostgresPool, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport
}

extension DynamoDBLockTableSource: PollingSource {}

/// What every polling source does around its observation.
enum PollingCycle {
    /// Records a failed observation against the source (coverage does not advance); never throws.
    static func recordFailure(_ error: any Error, source: String, pool: PostgresPool, now: @escaping @Sendable () -> Timestamp) async {
        let message = String(describing: error)
        _ = try? await pool.withConnection { try SourceStore.recordFailure(of: source, error: message, at: now(), on: $0) }
    }

    /// The `source.coverage_gap` event for a pause between the last successful scan and this one
    /// longer than `threshold` seconds, or nil.
    static func coverageGap(source: String, keyPrefix: String, mechanism: String, state: SourceState?, started: Timestamp,
                            completed: Timestamp, threshold: Double, details: [String: JSONValue]) -> Event? {
        guard let last = state?.lastScanCompleted, started.secondsSinceEpoch - last.secondsSinceEpoch > threshold else { return nil }
        var d = details
        d["from"] = .string(last.rfc3339)
        d["to"] = .string(started.rfc3339)
        d["reason"] = state.map { $0.failures > 0 ? "failed scans: \($0.lastError ?? "unknown error")" : "collector not running" }.map(JSONValue.string) ?? .null
        return Event(key: "\(keyPrefix)|\(source)|gap|\(last.microseconds)|\(started.microseconds)", kind: .coverageGap, source: source,
                     mechanism: mechanism, time: .between(after: last, notAfter: started), observedAt: completed, details: .object(d))
    }
}
