import ArgumentParser
import LocktrailCore
import LocktrailStore

/// `locktrail current`: locks held now.
struct CurrentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "current", abstract: "Locks held now: state, workspace, who, operation, since, age, run.")

    @OptionGroup var options: QueryOptions

    @Option(name: .long, help: ArgumentHelp("Only this state, named by its lock path.", valueName: "bucket/key"))
    var state: String?

    @Option(name: .long, help: "At most this many locks.")
    var limit: Int = 1000

    @Flag(name: .customLong("fail-if-held"), help: "Exit with code 5 when a lock is held (a CI gate; the answer is printed as usual).")
    var failIfHeld = false

    /// The exit code of `--fail-if-held` when a lock is held.
    static let held: Int32 = 5

    func validate() throws { try validateLimit(limit) }

    func run() async throws {
        let (state, now) = (state, options.now)
        let items = try await options.list(path: "/v1/current", parameters: [("state", state)], limit: limit) { answers, cursor, limit in
            try await answers.current(state: state, cursor: cursor, limit: limit, now: now)
        }
        typealias T = AnswerTable
        T.holds(items, columns: [T.state, T.workspace, T.who, T.operation, T.since, T.ageColumn, T.run, T.maintenance, T.lockID])
            .print(as: .resolve(options.format))
        if failIfHeld && !items.isEmpty { throw ExitCode(Self.held) }
    }
}

/// `--limit` must be positive and bounded.
func validateLimit(_ limit: Int) throws {
    guard limit > 0, limit <= 1_000_000 else { throw ValidationError("--limit must be between 1 and 1000000") }
}
