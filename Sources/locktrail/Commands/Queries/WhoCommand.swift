import ArgumentParser
import LocktrailCore
import LocktrailStore

/// `locktrail who --state S --at T`: who held a state at a moment, and how sure that is.
struct WhoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who", abstract: "Who held a state at a moment, with how precisely that is known.",
        discussion:
            "certainty is 'certain' when the evidence puts the moment inside the hold, 'possible' when it falls within the bounds of its acquire or release."
    )

    @OptionGroup var options: QueryOptions

    @Option(name: .long, help: ArgumentHelp("The state, named by its lock path.", valueName: "bucket/key"))
    var state: String

    @Option(name: .long, help: ArgumentHelp("The moment: RFC 3339 or relative (2h, yesterday); default now.", valueName: "time"))
    var at: String = "now"

    func run() async throws {
        let state = state
        let at = try options.time(at, option: "--at")!
        let answer = try await options.single(path: "/v1/who", parameters: [("state", state), ("at", at.rfc3339)]) { answers in
            try await answers.who(state: state, at: at)
        }
        let format = OutputFormat.resolve(options.format)
        if format == .json {
            print(answer == .null ? "null" : CanonicalJSON.string(answer))
            return
        }
        typealias T = AnswerTable
        let certainty: AnswerTable.Column = ("certainty", { T.text($0, "certainty") })
        let others: AnswerTable.Column = (
            "also_possible",
            { o in
                guard case .array(let a)? = o["other_candidates"], !a.isEmpty else { return nil }
                return a.compactMap(\.stringValue).joined(separator: " ")
            }
        )
        T.holds(answer == .null ? [] : [answer], columns: [T.state, T.who, T.operation, T.acquired, T.released, certainty, T.lockID, others])
            .print(as: format)
    }
}
