import LocktrailCore
import LocktrailStore

/// A scan's early page plans (`DynamoDBCyclePlanner.pagePlan`), each committed and then derived
/// in the background while the scan reads the next page. One page at a time: a page waits for
/// the one before it, so a scan that outruns the database keeps at most two pages in memory, and
/// the first failure (a lost lease, a concurrent cycle, the database gone) ends the scan.
actor EarlyCommits {
    private let store: any SourceStateStore
    private var tail: Task<Void, any Error>?
    /// Events the committed pages appended.
    private(set) var appended = 0
    /// Events they found already recorded.
    private(set) var duplicates = 0

    /// Commits for a scan of one source in `store`.
    init(store: any SourceStateStore) { self.store = store }

    /// Commits `plan` once the page before it is committed, without waiting for it; rethrows
    /// that page's failure.
    func enqueue(_ plan: CyclePlan) async throws {
        try await tail?.value
        tail = Task { [store] in
            let outcome = try await store.commit(plan)
            self.count(outcome)
            // A failure here loses nothing: the cycle's own catch-up folds these events in.
            try? await store.catchUpDerivation()
        }
    }

    /// Waits for the last page; rethrows its failure.
    func finish() async throws {
        defer { tail = nil }
        try await tail?.value
    }

    private func count(_ outcome: AppendOutcome) {
        appended += outcome.appended
        duplicates += outcome.duplicates
    }
}
