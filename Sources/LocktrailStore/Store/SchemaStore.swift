import LocktrailPostgres

/// The schema and its migrations through the store.
public struct SchemaStore: Sendable {
    let pool: PostgresPool

    /// Where the schema stands relative to this build, changing nothing.
    public func status() async throws -> SchemaStatus {
        try await pool.withConnection { try Migrator.status(on: $0) }
    }

    /// Applies every pending migration; returns the ones applied now.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await pool.withConnection { try Migrator.migrate(on: $0) }
    }

    /// Throws a `SchemaError` unless the schema is exactly what this build expects.
    public func requireCurrent() async throws {
        try await pool.withConnection { try Migrator.requireCurrent(on: $0) }
    }
}
