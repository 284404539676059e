import ArgumentParser
import LocktrailCore
import LocktrailStore

/// `locktrail history`: the holds of a period.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "The holds of a period, in time order.")

    @OptionGroup var options: QueryOptions

    @Option(name: .long, help: ArgumentHelp("Only this state, named by its lock path.", valueName: "bucket/key"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("Only holds whose Who is exactly this.", valueName: "user@host"))
    var who: String?

    @Option(name: .long, help: ArgumentHelp("Holds that may have lasted into this time or later (RFC 3339 or relative).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Holds that may have begun by this time (RFC 3339 or relative).", valueName: "time"))
    var until: String?

    @Option(name: .long, help: "At most this many holds.")
    var limit: Int = 1000

    func validate() throws { try validateLimit(limit) }

    func run() async throws {
        let (state, who) = (state, who)
        let since = try options.time(since, option: "--since"), until = try options.time(until, option: "--until")
        let items = try await options.list(
            path: "/v1/holds",
            parameters: [("state", state), ("who", who), ("since", since?.rfc3339), ("until", until?.rfc3339)], limit: limit
        ) { answers, cursor, limit in
            try await answers.history(state: state, who: who, since: since, until: until, cursor: cursor, limit: limit)
        }
        typealias T = AnswerTable
        T.holds(items, columns: [T.state, T.who, T.operation, T.acquired, T.released, T.ended, T.lockID])
            .print(as: .resolve(options.format))
    }
}
