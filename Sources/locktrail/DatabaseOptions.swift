import ArgumentParser
import Foundation
import LocktrailStore

/// `--database`, shared by every command that touches PostgreSQL.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "PostgreSQL connection URL or libpq conninfo (default: DATABASE_URL, then PG* variables, then locktrail's private server).",
            valueName: "url"))
    var database: String?

    /// Opens the configured database, starting the private server if that is the one.
    func openStore(maxConnections: Int = 4) throws -> Store {
        try Store(DatabaseConfiguration.resolve(flag: database), maxConnections: maxConnections) { directory, outcome in
            if outcome.accessRulesReplaced {
                Terminal.note(
                    "replaced the access rules of locktrail's private PostgreSQL in \(directory.path) (older versions trusted every local user): now only \(try EmbeddedPostgres.allowedUsersText()) may connect"
                )
            }
            if outcome.started {
                Terminal.note("started locktrail's private PostgreSQL in \(directory.path) (stop it with `locktrail db stop`)")
            }
        }
    }

    /// Opens the database and refuses to go on if its schema is not the one this build expects.
    func openCurrentStore(maxConnections: Int = 4) async throws -> Store {
        let store = try openStore(maxConnections: maxConnections)
        try await store.schema.requireCurrent()
        return store
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
