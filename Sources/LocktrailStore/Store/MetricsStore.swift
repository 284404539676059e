public import LocktrailCore
import LocktrailPostgres

/// The database's side of `GET /metrics`: values every replica reads alike.
public struct MetricsStore: Sendable, MetricsSource {
    let pool: PostgresPool

    /// One consistent snapshot (one transaction) of held locks, counters and sources.
    public func snapshot() async throws -> DatabaseMetrics {
        try await pool.withConnection { connection in
            try connection.transaction {
                let counters = try connection.first(MetricsStatements.Counters())
                let held = try connection.records(MetricsStatements.Held()).map {
                    DatabaseMetrics.HeldLock(state: $0.state, since: $0.since, maintenance: $0.maintenance)
                }
                let sources = try connection.records(MetricsStatements.Sources()).map {
                    DatabaseMetrics.Source(
                        name: $0.source, kind: $0.kind, lastSuccess: $0.lastSuccess, failures: Int($0.failures),
                        coverageGaps: Int($0.coverageGaps), streamReadThrough: $0.streamReadThrough,
                        streamRepairs: $0.streamRepairs.map(Int.init), queueReadThrough: $0.queueReadThrough)
                }
                return DatabaseMetrics(
                    held: held, forcedRemovals: Int(counters?.forcedRemovals ?? 0),
                    unlockedWrites: Int(counters?.unlockedWrites ?? 0), events: Int(counters?.events ?? 0), sources: sources)
            }
        }
    }

    /// The snapshot's samples at `now`.
    public func samples(now: Timestamp) async throws -> [MetricSample] {
        try await snapshot().samples(now: now)
    }
}
