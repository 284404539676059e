package import LocktrailCore
package import LocktrailPostgres

/// The statements `locktrail lock` and the collector's maintenance-lock expiry read with.
package enum MaintenanceStatements {
    /// `maintenance_state_sightings`: the mechanisms and tables a state was seen with.
    package struct StateSightings: Statement {
        package static let file = QueryFile.maintenanceStateSightings
        package var state: String
        package init(state: String) { self.state = state }
        package var bindings: [PostgresValue] { [.string(state)] }

        /// One mechanism, source and table.
        package struct Record: RowDecodable {
            package var mechanism: String?, source: String, table: String?
            package init(row: Row) throws {
                mechanism = try row["mechanism"]
                source = try row["source"]
                table = try row["table_name"]
            }
        }
    }

    /// `maintenance_open`: maintenance locks with no release or expiry yet.
    package struct Open: Statement {
        package static let file = QueryFile.maintenanceOpen
        package var state: String?
        package init(state: String?) { self.state = state }
        package var bindings: [PostgresValue] { [.string(state)] }

        /// A `lock.maintenance_locked` event.
        package struct Record: RowDecodable {
            package var lockID: String, state: String, details: JSONValue
            package init(row: Row) throws {
                lockID = try row["lock_id"]
                state = try row["state"]
                details = try row["details"]
            }
        }
    }
}
