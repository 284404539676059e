import LocktrailStore

/// Keeps holds and writes caught up with the event log before answers are read, at most once per
/// `interval`: under load many requests share one catch-up, and an answer is never staler than that.
actor DerivationFreshness {
    private let derivation: DerivationStore
    private let interval: Duration
    private var lastDone: ContinuousClock.Instant?
    private var running: Task<Void, any Error>?

    init(derivation: DerivationStore, interval: Duration = .seconds(1)) {
        self.derivation = derivation
        self.interval = interval
    }

    func ensureFresh() async throws {
        if let lastDone, lastDone.duration(to: .now) < interval { return }
        if let running { return try await running.value }
        let derivation = self.derivation
        let task = Task { _ = try await derivation.catchUp() }
        running = task
        defer { running = nil }
        try await task.value
        lastDone = .now
    }
}
