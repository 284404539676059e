import LocktrailCrypto
package import LocktrailPostgres

/// One file of `migrations/`: `NNNN_name.sql`.
public struct Migration: Hashable, Sendable {
    /// The number before the first `_`.
    public let version: Int
    /// The rest of the file name.
    public let name: String
    /// The SQL, run in one transaction.
    public let sql: String
    /// SHA-256 of the SQL: an applied migration must never change.
    public var checksum: String { Hex.encode(Digest.sha256(sql)) }

    /// Every embedded migration, in version order.
    public static let all: [Migration] = EmbeddedSQL.migrations.map { file in
        let parts = file.name.split(separator: "_", maxSplits: 1)
        guard let version = Int(parts[0]) else { preconditionFailure("migrations/\(file.name).sql must start with a number") }
        return Migration(version: version, name: parts.count > 1 ? String(parts[1]) : "", sql: file.sql)
    }.sorted { $0.version < $1.version }

    /// The newest version this build knows.
    public static var latestVersion: Int { all.last?.version ?? 0 }
}

/// Where a database's schema stands relative to this build.
public struct SchemaStatus: Sendable {
    /// Versions applied, in order.
    public var applied: [Int]
    /// Embedded migrations not applied yet.
    public var pending: [Migration]
    /// Applied versions this build does not know (a newer locktrail migrated this database).
    public var unknown: [Int]
    /// Applied migrations whose file changed since (checksum mismatch).
    public var modified: [Int]

    /// Whether this build can run against the database as it is.
    public var isCurrent: Bool { pending.isEmpty && unknown.isEmpty }
}

/// Errors that stop locktrail before it touches a database it does not understand.
public enum SchemaError: Error, CustomStringConvertible {
    /// Migrations are pending.
    case behind(current: Int, required: Int)
    /// The database was migrated by a newer locktrail.
    case ahead(current: Int, known: Int)

    public var description: String {
        switch self {
        case .behind(let current, let required):
            return "the database schema is at version \(current) but this locktrail needs version \(required): run `locktrail migrate` first."
        case .ahead(let current, let known):
            return "the database schema is at version \(current), newer than this locktrail knows (\(known)): upgrade locktrail."
        }
    }
}

/// Applies `migrations/` forward-only, each in its own transaction, recording applied versions.
/// An advisory lock serialises migrators, so two started at once leave one correct schema.
public enum Migrator {
    /// The schema's state, without changing anything.
    package static func status(on connection: PostgresConnection) throws -> SchemaStatus {
        var applied: [(Int, String)] = []
        if try connection.first(MigrationStatements.TableExists())?.present == true {
            applied = try connection.records(MigrationStatements.Applied()).map { ($0.version, $0.checksum) }
        }
        let known = Dictionary(uniqueKeysWithValues: Migration.all.map { ($0.version, $0) })
        let appliedVersions = Set(applied.map(\.0))
        return SchemaStatus(
            applied: applied.map(\.0),
            pending: Migration.all.filter { !appliedVersions.contains($0.version) },
            unknown: applied.map(\.0).filter { known[$0] == nil },
            modified: applied.compactMap { version, checksum in
                known[version].map { $0.checksum != checksum ? version : nil } ?? nil
            })
    }

    /// Applies every pending migration up to `version` (all of them by default; tests stop
    /// earlier to build a database as an older locktrail left it); returns the ones applied now.
    @discardableResult
    package static func migrate(on connection: PostgresConnection, through version: Int = .max) throws -> [Migration] {
        try connection.run(MigrationStatements.Lock())
        defer { _ = try? connection.run(MigrationStatements.Unlock()) }
        try connection.run(MigrationStatements.Bootstrap())
        let status = try status(on: connection)
        if let newest = status.unknown.max() { throw SchemaError.ahead(current: newest, known: Migration.latestVersion) }
        let pending = status.pending.filter { $0.version <= version }
        for migration in pending {
            try connection.transaction {
                try connection.execute(migration.sql, context: "migration \(migration.version)_\(migration.name)")
                try connection.run(MigrationStatements.MarkApplied(version: migration.version, name: migration.name, checksum: migration.checksum))
            }
        }
        return pending
    }

    /// Throws unless the schema is exactly what this build expects.
    package static func requireCurrent(on connection: PostgresConnection) throws {
        let status = try status(on: connection)
        if let newest = status.unknown.max() { throw SchemaError.ahead(current: newest, known: Migration.latestVersion) }
        if !status.pending.isEmpty {
            throw SchemaError.behind(current: status.applied.max() ?? 0, required: Migration.latestVersion)
        }
    }
}
