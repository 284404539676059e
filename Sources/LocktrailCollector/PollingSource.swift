public import LocktrailCore
public import LocktrailStore
public import Logging

/// A source the collector polls: each cycle observes (the AWS calls), the core plans (a pure
/// function of what the store had and what was observed), and the store commits the plan in
/// one transaction.
public protocol PollingSource: Sendable {
    /// The source name recorded in every event, e.g. `dynamodb:us-east-1/locks` or `s3:bucket/prefix`.
    var name: String { get }
    /// Observes once and commits the plan; a failure is recorded against the source and rethrown.
    func runCycle(store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport
}

/// What every polling source does around its observation.
enum PollingCycle {
    /// Records a failed observation against the source (coverage does not advance); never throws,
    /// because the observation's own error is the one to report.
    static func recordFailure(
        _ error: any Error, source: String, checkpoint: SourceCheckpoint, store: any SourceStateStore,
        now: @escaping @Sendable () -> Timestamp
    ) async {
        let plan = CyclePlan.failed(source: source, checkpoint: checkpoint, message: String(describing: error), at: now())
        _ = try? await store.commit(plan)
    }

    /// Commits `plan` and reports it.
    static func commit(_ plan: CyclePlan, store: any SourceStateStore) async throws -> CycleReport {
        let outcome = try await store.commit(plan)
        return CycleReport(plan, appended: outcome.appended, duplicates: outcome.duplicates)
    }
}
