package import LocktrailCore
package import LocktrailPostgres

/// The statements `GET /metrics` reads the database's metrics with.
package enum MetricsStatements {
    /// `metrics_counters`: the ledger's counts (after adding what is newly derived) and the log's length.
    package struct Counters: Statement {
        package static let file = QueryFile.metricsCounters
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// The counts.
        package struct Record: RowDecodable {
            package var forcedRemovals: Int64, unlockedWrites: Int64, events: Int64
            package init(row: Row) throws {
                forcedRemovals = try row["forced_removals"]
                unlockedWrites = try row["unlocked_writes"]
                events = try row["events"]
            }
        }
    }

    /// `metrics_held`: the locks held now.
    package struct Held: Statement {
        package static let file = QueryFile.metricsHeld
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// One held lock.
        package struct Record: RowDecodable {
            package var state: String?, since: Timestamp?, maintenance: Bool
            package init(row: Row) throws {
                state = try row["state"]
                since = try row["since"]
                maintenance = try row["maintenance"]
            }
        }
    }

    /// `metrics_sources`: the sources, with their streams' and queues' progress.
    package struct Sources: Statement {
        package static let file = QueryFile.metricsSources
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// One source.
        package struct Record: RowDecodable {
            package var source: String, kind: String, lastSuccess: Timestamp?, failures: Int64, coverageGaps: Int64
            package var streamReadThrough: Timestamp?, streamRepairs: Int64?, queueReadThrough: Timestamp?
            package init(row: Row) throws {
                source = try row["source"]
                kind = try row["kind"]
                lastSuccess = try row["last_success"]
                failures = try row["failures"]
                coverageGaps = try row["coverage_gaps"]
                streamReadThrough = try row["stream_read_through"]
                streamRepairs = try row["stream_repairs"]
                queueReadThrough = try row["queue_read_through"]
            }
        }
    }
}
