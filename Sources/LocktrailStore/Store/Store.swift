public import Foundation
import LocktrailCore
package import LocktrailPostgres

/// The one door to locktrail's PostgreSQL database. Made from a `DatabaseConfiguration`, it
/// owns the connection pool and offers small async interfaces with typed results; each runs its
/// blocking libpq calls on the pool's Dispatch queue, never on Swift's cooperative pool.
public struct Store: Sendable {
    /// The pool every interface borrows connections from. `package` for the collector, which
    /// still runs its own cycles on connections until it moves behind these interfaces.
    package let pool: PostgresPool

    /// A store on `pool` (tests and benchmarks that made one themselves).
    package init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Opens the configured database with at most `maxConnections` connections, starting
    /// locktrail's private server first when that is the one configured (`privateServer` is
    /// told its folder and what starting it did).
    public init(
        _ configuration: DatabaseConfiguration, maxConnections: Int = 4,
        privateServer: (URL, EmbeddedPostgres.StartOutcome) throws -> Void = { _, _ in }
    ) throws {
        switch configuration {
        case .explicit(let conninfo):
            pool = PostgresPool(conninfo: conninfo, maxConnections: maxConnections)
        case .libpqEnvironment:
            pool = PostgresPool(conninfo: "", maxConnections: maxConnections)
        case .embedded(let directory):
            let server = EmbeddedPostgres(directory: directory)
            try privateServer(directory, try server.start())
            pool = PostgresPool(conninfo: server.conninfo, maxConnections: maxConnections)
        }
    }

    /// The append-only, hash-chained event log.
    public var events: EventLogStore { EventLogStore(pool: pool) }
    /// The questions locktrail answers, over the derived holds and writes.
    public var answers: AnswerStore { AnswerStore(pool: pool) }
    /// Bearer tokens of the HTTP API.
    public var tokens: TokenStore { TokenStore(pool: pool) }
    /// The schema and its migrations.
    public var schema: SchemaStore { SchemaStore(pool: pool) }
    /// Holds and writes derived from the event log.
    public var derivation: DerivationStore { DerivationStore(pool: pool) }
    /// Polling sources' snapshots, status and committed cycles (the collector's).
    public var sources: SourceStore { SourceStore(pool: pool) }
    /// Which collector owns each source, with fencing tokens.
    public var leases: LeaseStore { LeaseStore(pool: pool) }
    /// Maintenance locks: where they go and which are in place.
    public var maintenance: MaintenanceStore { MaintenanceStore(pool: pool) }
    /// What `GET /metrics` reads from the database.
    public var metrics: MetricsStore { MetricsStore(pool: pool) }
    /// Resumable S3 version-history imports.
    public var backfills: BackfillStore { BackfillStore(pool: pool) }
    /// The web page's sessions.
    public var sessions: SessionStore { SessionStore(pool: pool) }
    /// The record of `verify` results.
    public var verifications: VerificationStore { VerificationStore(pool: pool) }

    /// The notification outbox and the notifier's lease.
    public var notifications: NotificationStore { NotificationStore(pool: pool) }

    /// Closes idle connections and refuses new work.
    public func close() async { await pool.close() }
}
