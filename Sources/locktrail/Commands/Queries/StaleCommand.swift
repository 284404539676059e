import ArgumentParser
import LocktrailCore
import LocktrailStore

/// `locktrail stale`: locks held too long, and whether their holder is alive.
struct StaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stale", abstract: "Locks held longer than a duration, with whether the holder's run is alive.",
        discussion:
            "holder_alive is true when the holder's wrapped run was heard from within 2.5 of the heartbeat intervals it declares (30 s when it declares none), false when it finished or went silent, null when no run is known."
    )

    @OptionGroup var options: QueryOptions

    @Option(name: .long, help: ArgumentHelp("Held longer than this: 30m, 2h, 1d (default 1h).", valueName: "duration"))
    var olderThan: String = "1h"

    @Option(name: .long, help: "At most this many locks.")
    var limit: Int = 1000

    func validate() throws {
        try validateLimit(limit)
        guard TimeExpression.durationSeconds(olderThan) != nil else {
            throw ValidationError("--older-than '\(olderThan)' is not a duration: use 90s, 30m, 2h, 7d or 1h30m")
        }
    }

    func run() async throws {
        let seconds = TimeExpression.durationSeconds(olderThan)!
        let now = options.now
        let items = try await options.list(path: "/v1/stale", parameters: [("older_than", olderThan)], limit: limit) { answers, cursor, limit in
            try await answers.stale(olderThan: seconds, cursor: cursor, limit: limit, now: now)
        }
        typealias T = AnswerTable
        let alive: AnswerTable.Column = (
            "holder_alive",
            { o in
                switch o["holder_alive"] {
                case .bool(let b)?: return b ? "yes" : "no";
                default: return "unknown"
                }
            }
        )
        T.holds(items, columns: [T.state, T.who, T.operation, T.since, T.ageColumn, alive, T.run, T.lockID])
            .print(as: .resolve(options.format))
    }
}
