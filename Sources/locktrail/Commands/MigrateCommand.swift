import ArgumentParser
import LocktrailStore

/// `locktrail migrate`: applies `migrations/` to the database.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade locktrail's schema (forward-only migrations).")

    @OptionGroup var db: DatabaseOptions

    @Flag(name: .long, help: "Show applied and pending migrations without changing anything.")
    var status = false

    func run() async throws {
        let store = try db.openStore(maxConnections: 1)
        if status {
            let s = try await store.schema.status()
            print("applied: \(s.applied.isEmpty ? "none" : s.applied.map(String.init).joined(separator: ", "))")
            print("pending: \(s.pending.isEmpty ? "none" : s.pending.map { "\($0.version)_\($0.name)" }.joined(separator: ", "))")
            if !s.unknown.isEmpty { print("unknown to this build (newer locktrail?): \(s.unknown.map(String.init).joined(separator: ", "))") }
            if !s.modified.isEmpty { print("changed since applied: \(s.modified.map(String.init).joined(separator: ", "))") }
            if !s.pending.isEmpty { throw ExitCode(3) }
            return
        }
        let applied = try await store.schema.migrate()
        if applied.isEmpty {
            print("schema is current (version \(Migration.latestVersion))")
        } else {
            for m in applied { print("applied \(m.version)_\(m.name)") }
            print("schema is current (version \(Migration.latestVersion))")
        }
    }
}
