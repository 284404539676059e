import ArgumentParser
import LocktrailCore
import LocktrailStore

/// `locktrail forced`: every force-removed lock, with its evidence.
struct ForcedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forced", abstract: "Every force-removed lock with its evidence, actor and reason.")

    @OptionGroup var options: QueryOptions

    @Option(name: .long, help: ArgumentHelp("From this time (RFC 3339 or relative).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Up to this time (RFC 3339 or relative).", valueName: "time"))
    var until: String?

    @Option(name: .long, help: "At most this many holds.")
    var limit: Int = 1000

    func validate() throws { try validateLimit(limit) }

    func run() async throws {
        let since = try options.time(since, option: "--since"), until = try options.time(until, option: "--until")
        let items = try await options.list(path: "/v1/forced", parameters: [("since", since?.rfc3339), ("until", until?.rfc3339)], limit: limit) {
            answers, cursor, limit in
            try await answers.forced(since: since, until: until, cursor: cursor, limit: limit)
        }
        typealias T = AnswerTable
        let by: AnswerTable.Column = ("forced_by", { T.text($0, "forced_by") })
        let reason: AnswerTable.Column = ("reason", { T.text($0, "force_reason") })
        let evidence: AnswerTable.Column = (
            "evidence",
            { o in
                guard case .array(let a)? = o["evidence"] else { return nil }
                return a.filter { ["lock.force_unlocked", "lock.release_failed", "run.heartbeat"].contains($0["kind"]?.stringValue ?? "") }
                    .compactMap { e in e["kind"]?.stringValue.map { $0 + "#" + (T.text(e, "seq") ?? "?") } }.joined(separator: " ")
            }
        )
        T.holds(items, columns: [T.state, T.who, T.acquired, T.released, by, reason, evidence, T.lockID])
            .print(as: .resolve(options.format))
    }
}
