public import LocktrailCore
import LocktrailPostgres

/// What the log says about maintenance locks: where a state's locks live, and which
/// maintenance locks are in place.
public struct MaintenanceStore: Sendable {
    let pool: PostgresPool

    /// How `state` was seen locked or written, newest first.
    public func sightings(ofState state: String) async throws -> [StateSighting] {
        try await pool.withConnection { connection in
            try connection.records(MaintenanceStatements.StateSightings(state: state)).map {
                StateSighting(mechanism: $0.mechanism, source: $0.source, table: $0.table)
            }
        }
    }

    /// Maintenance locks in place (of `state`, or all), oldest first.
    public func open(state: String? = nil) async throws -> [OpenMaintenanceLock] {
        try await pool.withConnection { connection in
            try connection.records(MaintenanceStatements.Open(state: state)).compactMap {
                OpenMaintenanceLock(details: $0.details, lockID: $0.lockID, state: $0.state)
            }
        }
    }
}
