import ArgumentParser
import LocktrailCore
import LocktrailStore

/// `locktrail writes`: state writes and whether a lock covered each.
struct WritesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "writes",
        abstract: "State writes, each locked (by which hold), unlocked or unknown; serial regressions and lineage changes flagged.")

    @OptionGroup var options: QueryOptions

    @Option(name: .long, help: ArgumentHelp("Only this state, named by its lock path.", valueName: "bucket/key"))
    var state: String?

    @Flag(name: .long, help: "Only writes proven to have happened with no lock held.")
    var unlocked = false

    @Option(name: .long, help: ArgumentHelp("From this time (RFC 3339 or relative).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Up to this time (RFC 3339 or relative).", valueName: "time"))
    var until: String?

    @Option(name: .long, help: "At most this many writes.")
    var limit: Int = 1000

    func validate() throws { try validateLimit(limit) }

    func run() async throws {
        let (state, unlocked) = (state, unlocked)
        let since = try options.time(since, option: "--since"), until = try options.time(until, option: "--until")
        let items = try await options.list(
            path: "/v1/writes",
            parameters: [("state", state), ("unlocked", unlocked ? "true" : nil), ("since", since?.rfc3339), ("until", until?.rfc3339)],
            limit: limit
        ) { answers, cursor, limit in
            try await answers.writes(state: state, unlockedOnly: unlocked, since: since, until: until, cursor: cursor, limit: limit)
        }
        typealias T = AnswerTable
        T.holds(
            items,
            columns: [
                ("seq", { T.text($0, "seq") }), T.state, ("written", { T.time($0, "written") }),
                ("status", { T.text($0, "status") }),
                ("lock_id", { T.text($0, "lock_id") }),
                // An ambiguous write names no holder: the holds its times fit.
                (
                    "candidates",
                    { o in
                        o["candidates"]?.arrayValue.flatMap { list in list.isEmpty ? nil : list.compactMap(\.stringValue).joined(separator: ",") }
                    }
                ),
                T.who, ("serial", { T.text($0, "serial") }),
                (
                    "flags",
                    { o in
                        [
                            o["serial_regression"] == .bool(true) ? "serial-regression" : nil,
                            o["lineage_changed"] == .bool(true) ? "lineage-changed" : nil,
                        ]
                        .compactMap { $0 }.joined(separator: ",")
                    }
                ),
            ]
        ).print(as: .resolve(options.format))
    }
}
