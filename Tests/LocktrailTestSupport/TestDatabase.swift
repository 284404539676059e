import Foundation
import LocktrailPostgres
import LocktrailStore

/// A fresh, empty PostgreSQL database per test on a real server: the one `scripts/test` starts
/// (`LOCKTRAIL_TEST_POSTGRES`, keyword form), or else locktrail's own private server under
/// `.build/test-postgres` (so a bare `swift test` works too).
public struct TestDatabase: Sendable {
    /// The database name.
    public let name: String
    /// Its libpq connection string.
    public let conninfo: String
    /// A pool on it.
    public let pool: PostgresPool

    /// The store on that pool: the door the server and the CLI use.
    public var store: Store { Store(pool: pool) }

    /// The server's connection string without a database name.
    public static let serverConninfo: String = {
        if let given = ProcessInfo.processInfo.environment["LOCKTRAIL_TEST_POSTGRES"], !given.isEmpty { return given }
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/test-postgres")
        let server = EmbeddedPostgres(directory: directory, port: 5499)
        do { try server.start() } catch { fatalError("no PostgreSQL for the tests (run scripts/test): \(error)") }
        return "host=\(server.socketDirectory.path) port=5499 user=locktrail"
    }()

    /// Creates a new database; migrated unless `migrated` is false.
    public static func make(migrated: Bool = true, poolSize: Int = 4) async throws -> TestDatabase {
        let name = "lt_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let admin = PostgresPool(conninfo: serverConninfo + " dbname=postgres", maxConnections: 1)
        try await admin.withConnection { try $0.execute("CREATE DATABASE \(name)") }
        await admin.close()
        let conninfo = serverConninfo + " dbname=\(name)"
        let pool = PostgresPool(conninfo: conninfo, maxConnections: poolSize)
        if migrated { try await pool.withConnection { try Migrator.migrate(on: $0) } }
        return TestDatabase(name: String(name), conninfo: conninfo, pool: pool)
    }

    /// Runs SQL as the superuser in this database (used to tamper with the log the way an
    /// administrator could).
    public func superuser(_ sql: String) async throws {
        try await pool.withConnection { try $0.execute(sql) }
    }
}
