import ArgumentParser
import LocktrailCore
import LocktrailStore

/// `locktrail hold ID`: one hold, with its evidence and the events behind it.
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold", abstract: "One hold by its lock ID: its fields, its run, its evidence and its events.",
        discussion:
            "Exit 2 when no source saw a lock with that ID. --format json prints the hold with an `events` list (the events its evidence names), as GET /v1/holds/{lock_id} does."
    )

    @OptionGroup var options: QueryOptions

    @Argument(help: ArgumentHelp("The Terraform lock ID.", valueName: "lock-id"))
    var lockID: String

    func run() async throws {
        let lockID = lockID
        let answer = try await options.single(path: "/v1/holds/" + RemoteClient.encode(lockID), parameters: []) { answers in
            guard var hold = try await answers.hold(lockID: lockID)?.objectValue else {
                throw QueryError(field: "lock_id", "no source saw a lock with ID '\(lockID)' (reports about such IDs: locktrail events --unmatched).")
            }
            hold["events"] = .array(try await answers.events(at: JSONValue.object(hold).evidenceSeqs).map(\.json))
            return .object(hold)
        }
        let format = OutputFormat.resolve(options.format)
        if format == .json {
            print(CanonicalJSON.string(answer))
            return
        }
        typealias T = AnswerTable
        let by: AnswerTable.Column = ("forced_by", { T.text($0, "forced_by") })
        let reason: AnswerTable.Column = ("reason", { T.text($0, "force_reason") })
        T.holds([answer], columns: [T.state, T.workspace, T.who, T.operation, T.acquired, T.released, T.ended, by, reason, T.run, T.lockID])
            .print(as: format)
        guard format == .table, case .array(let evidence)? = answer["evidence"] else { return }
        print()
        var rows = Rows(columns: ["seq", "kind", "when", "provenance", "note"])
        for e in evidence {
            rows.rows.append([T.text(e, "seq"), T.text(e, "kind"), T.time(e, "occurred"), T.text(e, "provenance"), T.text(e, "note")])
        }
        rows.print(as: .table)
    }
}

extension JSONValue {
    /// The seqs of a hold's `evidence` list.
    var evidenceSeqs: [Int64] {
        (self["evidence"]?.arrayValue ?? []).compactMap { $0["seq"]?.numberValue.map { Int64($0) } }
    }
}
