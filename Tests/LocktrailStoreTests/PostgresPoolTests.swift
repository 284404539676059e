import Foundation
import LocktrailStore
import LocktrailTestSupport
import Testing

@testable import LocktrailPostgres

/// The pool lends only connections that are still connected.
@Suite("Connection pool")
struct PostgresPoolTests {
    @Test("an idle connection the server ended is dropped before it is lent: the next call works on a fresh one")
    func endedWhileIdle() async throws {
        let db = try await TestDatabase.make(poolSize: 1)
        let first = try #require(try await db.pool.withConnection { try $0.query("SELECT pg_backend_pid()").int(0, 0) })
        let admin = PostgresPool(conninfo: db.conninfo, maxConnections: 1)
        try await admin.withConnection { connection in
            try connection.execute("SELECT pg_terminate_backend(\(first))")
        }
        // Gone once its process has exited (the server runs on this machine), its socket closed.
        var waited = 0
        while kill(pid_t(first), 0) == 0 || errno != ESRCH, waited < 250 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        await admin.close()
        let second = try await db.pool.withConnection { try $0.query("SELECT pg_backend_pid()").int(0, 0) }
        #expect(second != nil && second != first)
        await db.pool.close()
    }
}

/// The TCP settings locktrail connects with unless the string, `PGCONNECT_TIMEOUT` or a service says otherwise.
@Suite("Connection strings: network defaults")
struct NetworkDefaultsTests {
    @Test(
        "the defaults go before the string (which overrides them); a service gets none; PGCONNECT_TIMEOUT keeps connect_timeout",
        arguments: [
            ("host=h dbname=d", [:], ["connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"]),
            (
                "postgresql://h/d?keepalives_idle=2", [:],
                ["connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"]
            ),
            ("host=h", ["PGCONNECT_TIMEOUT": "4"], ["keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"]),
            ("service=prod", [:], []),
            ("", ["PGSERVICE": "prod"], []),
        ] as [(String, [String: String], [String])])
    func options(_ conninfo: String, environment: [String: String], keywords: [String]) {
        #expect(NetworkDefaults.options(for: conninfo, environment: environment).map(\.keyword) == keywords)
    }

    @Test("the server's side of a TCP session gets the settings libpq used; a unix socket's none")
    func serverSide() {
        let used = ["keepalives_idle": "10", "keepalives_interval": "3", "keepalives_count": "3", "tcp_user_timeout": "15000"]
        let sql = NetworkDefaults.serverSide(used, overTCP: true)
        #expect(sql.contains("('tcp_keepalives_idle', '10')") && sql.contains("('tcp_user_timeout', '15000')") && sql.contains("source = 'default'"))
        #expect(NetworkDefaults.serverSide(used, overTCP: false) == "")
        #expect(NetworkDefaults.serverSide(["keepalives_idle": "x; DROP TABLE t"], overTCP: true) == "", "only integers reach the SQL")
    }
}

/// The errors that mean "the database cannot be reached now" (serve answers them with 503).
@Suite("Store: unavailable database")
struct StoreUnavailableTests {
    @Test(
        "connection failures, lost connections, shutdowns and a read-only standby are unavailability; a rejected statement is not",
        arguments: [
            (PostgresError(kind: .connection, message: "timeout expired"), true),
            (PostgresError(kind: .connectionLost, message: "could not receive data from server: Connection timed out"), true),
            (PostgresError(kind: .server, message: "terminating connection due to administrator command", sqlState: "57P01"), true),
            (PostgresError(kind: .server, message: "cannot execute INSERT in a read-only transaction", sqlState: "25006"), true),
            (PostgresError(kind: .server, message: "duplicate key value violates unique constraint", sqlState: "23505"), false),
            (PostgresError(kind: .decoding, message: "bad row"), false),
        ])
    func unavailable(_ error: PostgresError, _ expected: Bool) {
        #expect(Store.isUnavailable(error) == expected)
    }
}
