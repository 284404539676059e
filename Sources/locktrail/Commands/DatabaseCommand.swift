import ArgumentParser
import FoundationEssentials
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
            let outcome = try server.start()
            print(outcome.started ? "started" : "already running", "in \(server.directory.path)")
            print("connection: \(server.redactedConninfo)")
            if outcome.accessRulesReplaced {
                print("access: replaced rules that were not locktrail's (older versions trusted every local user)")
            }
            print("access: only \(try EmbeddedPostgres.allowedUsersText()), through the socket (peer authentication; no TCP)")
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
            print("connection: \(server.redactedConninfo)")
            if server.exists, !server.accessRulesAreCurrent() {
                // Made by an older locktrail, which trusted every local user.
                print(
                    "access: OUTDATED: other local users may be able to connect; run `locktrail db start` to allow only \(try EmbeddedPostgres.allowedUsersText())"
                )
            } else {
                print("access: only \(try EmbeddedPostgres.allowedUsersText()), through the socket (peer authentication; no TCP)")
            }
        }
    }
}
