import ArgumentParser
import Foundation
import LocktrailCore
import LocktrailStore

/// `locktrail wait`: a CI gate that returns as soon as a state is free.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until a state is free, printing who holds it meanwhile; exit 4 on --timeout.",
        discussion: """
            Free means: locktrail's log holds no lock on the state that has not been seen released
            (the answer of `current --state`). A lock whose holder is only possibly alive, or stale,
            or whose collector has gone silent still counts as held: wait never calls a state free
            without a release seen. It is only as fresh as the collector's last scan of the state's
            table or bucket (its --interval). Exit codes: 0 free, 1 could not ask, 2 unknown state,
            4 still held when --timeout ran out.
            """)

    @OptionGroup var options: QueryOptions

    @Option(name: .long, help: ArgumentHelp("The state, by its lock path.", valueName: "bucket/key"))
    var state: String

    @Option(name: .long, help: "Give up after this long (default 10m), with exit code 4.")
    var timeout: String = "10m"

    @Option(name: .long, help: "Ask again after this long (default 2s).")
    var poll: String = "2s"

    func validate() throws {
        guard TimeExpression.duration(timeout, bareNumberIsSeconds: true) != nil, TimeExpression.duration(poll, bareNumberIsSeconds: true) != nil
        else { throw ValidationError("--timeout and --poll take durations such as 10m or 5s") }
    }

    static let timedOut: Int32 = 4

    func run() async throws {
        let deadline = Date().addingTimeInterval(TimeExpression.duration(timeout, bareNumberIsSeconds: true)!)
        let pause = TimeExpression.duration(poll, bareNumberIsSeconds: true)!
        var shown = Set<String>()
        while true {
            let (state, now) = (state, options.now)
            let holds = try await options.list(path: "/v1/current", parameters: [("state", state)], limit: 100) { answers, cursor, limit in
                try await answers.current(state: state, cursor: cursor, limit: limit, now: now)
            }
            if holds.isEmpty {
                print("\(state) is free")
                return
            }
            for hold in holds {
                let id = hold["lock_id"]?.stringValue ?? "?"
                guard shown.insert(id).inserted else { continue }
                print("waiting: \(state) is held by \(Self.describe(hold))")
            }
            if Date() >= deadline {
                Terminal.note("timed out after \(timeout): \(state) is still held")
                throw ExitCode(Self.timedOut)
            }
            try await Task.sleep(for: .seconds(min(pause, max(0.05, deadline.timeIntervalSinceNow))))
        }
    }

    /// `alice@host running OperationTypeApply since … (lock …)`, marked when it is a maintenance lock.
    static func describe(_ hold: JSONValue) -> String {
        let who = hold["who"]?.stringValue ?? "?", operation = hold["operation"]?.stringValue ?? "?"
        let since = hold["created_at"]?.stringValue ?? hold["acquired_at"]?.stringValue ?? hold["acquired_not_after"]?.stringValue ?? "?"
        let maintenance = hold["maintenance"]?["reason"]?.stringValue.map { " — MAINTENANCE: \($0)" } ?? ""
        return "\(who) running \(operation) since \(since) (lock \(hold["lock_id"]?.stringValue ?? "?"))\(maintenance)"
    }
}
