import ArgumentParser
import LocktrailStore

/// `locktrail rebuild`: derive every hold and write again from the event log alone.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild", abstract: "Recompute holds and writes from the event log alone.",
        discussion:
            "Holds and writes are kept up to date incrementally; rebuild throws them away and derives them again in one transaction, e.g. after an upgrade that changes the derivation rules."
    )

    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let store = try await db.openCurrentStore(maxConnections: 1)
        let report = try await store.derivation.rebuild { done, total in
            if done == total || done % 2000 == 0 { Terminal.note("derived \(done) of \(total) states") }
        }
        print("rebuilt from \(report.seq) events: \(report.states) states, \(report.holds) holds, \(report.writes) writes")
    }
}
