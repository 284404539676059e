import LocktrailPostgres

/// Holds and writes derived from the event log, through the store.
public struct DerivationStore: Sendable {
    let pool: PostgresPool

    /// Folds the events appended since the last catch-up into holds and writes.
    @discardableResult
    public func catchUp() async throws -> DerivationReport {
        try await pool.withConnection { try Derivation.catchUp(on: $0) }
    }

    /// Derives every hold and write again from the event log alone; `progress` is told the
    /// states done and the total (on the store's queue, not the caller's task).
    @discardableResult
    public func rebuild(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> DerivationReport {
        try await pool.withConnection { try Derivation.rebuild(on: $0, progress: progress) }
    }
}
