import ArgumentParser
import Foundation
import LocktrailPostgres
import LocktrailStore

/// `--database`, shared by every command that touches PostgreSQL.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "PostgreSQL connection URL or libpq conninfo (default: DATABASE_URL, then PG* variables, then locktrail's private server).",
        valueName: "url"))
    var database: String?

    /// Opens a pool on the configured database, starting the private server if that is the one.
    func openPool(maxConnections: Int = 4) throws -> PostgresPool {
        let configuration = DatabaseConfiguration.resolve(flag: database)
        switch configuration {
        case .explicit(let conninfo):
            return PostgresPool(conninfo: conninfo, maxConnections: maxConnections)
        case .libpqEnvironment:
            return PostgresPool(conninfo: "", maxConnections: maxConnections)
        case .embedded(let directory):
            let server = EmbeddedPostgres(directory: directory)
            let outcome = try server.start()
            if outcome.accessRulesReplaced {
                Terminal.note("replaced the access rules of locktrail's private PostgreSQL in \(directory.path) (older versions trusted every local user): now only \(try EmbeddedPostgres.allowedUsersText()) may connect")
            }
            if outcome.started {
                Terminal.note("started locktrail's private PostgreSQL in \(directory.path) (stop it with `locktrail db stop`)")
            }
            return PostgresPool(conninfo: server.conninfo, maxConnections: maxConnections)
        }
    }

    /// Opens the database and refuses to go on if its schema is not the one this build expects.
    func openCurrentPool(maxConnections: Int = 4) async throws -> PostgresPool {
        let pool = try openPool(maxConnections: maxConnections)
        try await pool.withConnection { try Migrator.requireCurrent(on: $0) }
        return pool
    }
}

/// Messages for people, on standard error so that standard output stays machine-readable.
enum Terminal {
    /// Prints `message` to standard error.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data(("locktrail: " + message + "\n").utf8))
    }

    /// Whether standard output is a terminal.
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
