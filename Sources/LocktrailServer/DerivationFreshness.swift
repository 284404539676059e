import LocktrailPostgres
import LocktrailStore

/// Keeps holds and writes caught up with the event log before answers are read, at most once per
/// `interval`: under load many requests share one catch-up, and an answer is never staler than that.
actor DerivationFreshness {
    private let pool: PostgresPool
    private let interval: Duration
    private var lastDone: ContinuousClock.Instant?
    private var running: Task<Void, Error>?

    init(pool: PostgresPool, interval: Duration = .seconds(1)) {
        self.pool = pool
        self.interval = interval
    }

    func ensureFresh() async throws {
        if let lastDone, lastDone.duration(to: .now) < interval { return }
        if let running { return try await running.value }
        let pool = self.pool
        let task = Task { _ = try await pool.withConnection { try Derivation.catchUp(on: $0) } }
        running = task
        defer { running = nil }
        try await task.value
        lastDone = .now
    }
}
