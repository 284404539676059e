import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

@Suite("Migrations")
struct MigratorTests {
    @Test("from an empty database, then again: the second run changes nothing")
    func twice() async throws {
        let db = try await TestDatabase.make(migrated: false)
        let first = try await db.pool.withConnection { try Migrator.migrate(on: $0) }
        #expect(first.map(\.version) == Migration.all.map(\.version))
        let second = try await db.pool.withConnection { try Migrator.migrate(on: $0) }
        #expect(second.isEmpty)
        let status = try await db.pool.withConnection { try Migrator.status(on: $0) }
        #expect(status.isCurrent)
        #expect(status.modified.isEmpty)
    }

    @Test("two migrators at once leave one correct schema")
    func concurrent() async throws {
        let db = try await TestDatabase.make(migrated: false)
        let a = PostgresPool(conninfo: db.conninfo, maxConnections: 1)
        let b = PostgresPool(conninfo: db.conninfo, maxConnections: 1)
        async let first = a.withConnection { try Migrator.migrate(on: $0).count }
        async let second = b.withConnection { try Migrator.migrate(on: $0).count }
        let counts = try await [first, second]
        #expect(counts.sorted() == [0, Migration.all.count])
        let status = try await db.pool.withConnection { try Migrator.status(on: $0) }
        #expect(status.applied == Migration.all.map(\.version))
    }

    @Test("a schema that is behind is refused with what to do")
    func behind() async throws {
        let db = try await TestDatabase.make(migrated: false)
        do {
            try await db.pool.withConnection { try Migrator.requireCurrent(on: $0) }
            Issue.record("an unmigrated database was accepted")
        } catch let error as SchemaError {
            #expect(error.description.contains("run `locktrail migrate`"))
        }
    }

    @Test("every named query prepares against the migrated schema")
    func namedQueriesPrepare() async throws {
        let db = try await TestDatabase.make()
        try await db.pool.withConnection { connection in
            for query in QueryFile.all {
                let sql = query.sql.uppercased()
                if sql.contains("COPY ") && sql.contains("FROM STDIN") {
                    // COPY cannot be prepared: run it with no rows in a transaction that is rolled back.
                    try connection.execute("BEGIN")
                    try connection.copyIn(query.sql) { _ in }
                    try connection.execute("ROLLBACK")
                } else if sql.contains("CREATE TABLE IF NOT EXISTS") {
                    try connection.execute(query.sql)  // DDL cannot be prepared; it is idempotent
                } else {
                    try connection.prepare(name: "check_" + query.name, sql: query.sql)
                }
            }
        }
        #expect(QueryFile.all.count >= 10)
    }

    @Test(
        "a wrong connection string says what is wrong and never echoes the password",
        arguments: [
            "postgresql://alice:s3cr3t-pw@127.0.0.1:1/nowhere",
            "host=127.0.0.1 port=1 user=alice password=s3cr3t-pw",
            "host=127.0.0.1 port=1 password='s3cr3t-pw",  // unterminated quote
            "host=127.0.0.1 port=1 s3cr3t-pw",  // libpq quotes the word it cannot read
            "postgresql://alice:s3cr3t-pw%zz@127.0.0.1:1/nowhere",  // and the bad percent-escape
            "postgresql://alice:s3cr3t-pw@127.0.0.1:99999/nowhere",
        ])
    func wrongConnectionString(_ conninfo: String) async throws {
        let pool = PostgresPool(conninfo: conninfo, maxConnections: 1)
        do {
            try await pool.withConnection { _ in }
            Issue.record("connected to a closed port")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(error.description.contains("cannot connect to PostgreSQL"))
            #expect(!error.description.contains("s3cr3t-pw"), "\(error.description)")
            #expect(!error.debugDescription.contains("s3cr3t-pw"), "\(error.debugDescription)")
        }
    }
}
