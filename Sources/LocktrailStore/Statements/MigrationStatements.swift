package import LocktrailPostgres

/// The statements of the migrator: its advisory lock and the table of applied versions.
package enum MigrationStatements {
    /// `migrate_lock`: waits for the migrators' advisory lock.
    package struct Lock: Statement {
        package static let file = QueryFile.migrateLock
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `migrate_unlock`: releases it.
    package struct Unlock: Statement {
        package static let file = QueryFile.migrateUnlock
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `migrations_bootstrap`: creates the table of applied versions if it is missing.
    package struct Bootstrap: Statement {
        package static let file = QueryFile.migrationsBootstrap
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `migrations_table_exists`: whether that table exists (a database never migrated has none).
    package struct TableExists: Statement {
        package static let file = QueryFile.migrationsTableExists
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// The answer.
        package struct Record: RowDecodable {
            package var present: Bool
            package init(row: Row) throws { present = try row["present"] }
        }
    }

    /// `migrations_applied`: the applied versions, in order.
    package struct Applied: Statement {
        package static let file = QueryFile.migrationsApplied
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// One applied migration.
        package struct Record: RowDecodable {
            package var version: Int, name: String, checksum: String
            package init(row: Row) throws {
                version = try row["version"]
                name = try row["name"]
                checksum = try row["checksum"]
            }
        }
    }

    /// `migrations_record`: records a migration as applied.
    package struct MarkApplied: Statement {
        package static let file = QueryFile.migrationsRecord
        package var version: Int, name: String, checksum: String
        package init(version: Int, name: String, checksum: String) { (self.version, self.name, self.checksum) = (version, name, checksum) }
        package var bindings: [PostgresValue] { [.int(Int64(version)), .string(name), .string(checksum)] }
    }
}
