import ArgumentParser
import LocktrailPostgres
import LocktrailStore

/// `locktrail db`: the private PostgreSQL used when no database is configured.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage locktrail's private PostgreSQL (used when no database is configured).",
        subcommands: [Start.self, Stop.self, Status.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the private PostgreSQL (creating it on first use).")
        func run() throws {
            let server = EmbeddedPostgres(directory: EmbeddedPostgres.defaultDirectory())
            let started = try server.start()
            print(started ? "started" : "already running", "in \(server.directory.path)")
            print("connection: \(ConnectionString.redacted(server.conninfo))")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the private PostgreSQL.")
        func run() throws {
            let server = EmbeddedPostgres(directory: EmbeddedPostgres.defaultDirectory())
            print(try server.stop() ? "stopped" : "not running", "(\(server.directory.path))")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the private PostgreSQL is running, and where.")
        func run() throws {
            let server = EmbeddedPostgres(directory: EmbeddedPostgres.defaultDirectory())
            print(server.isRunning() ? "running" : "not running", "in \(server.directory.path)")
            print("connection: \(ConnectionString.redacted(server.conninfo))")
        }
    }
}
