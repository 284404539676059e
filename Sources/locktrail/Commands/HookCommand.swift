import ArgumentParser
import Foundation
import LocktrailCore
import LocktrailWrapper

/// `locktrail hook`: send hook events without wrapping, and flush the spool.
struct HookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Report hook events without wrapping (CI systems, Atlantis, Terragrunt hooks) and flush the spool.",
        subcommands: [Emit.self, Flush.self])

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send spooled hook events to LOCKTRAIL_URL.")

        @Flag(name: .long, help: "Print nothing; exit status only.")
        var quiet = false

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let spool = HookSpool(directory: HookSpool.defaultDirectory(environment: environment))
            guard let client = HookClient.fromEnvironment(environment, spool: spool) else {
                throw ValidationError("LOCKTRAIL_URL is not set: it names the locktrail server to send events to")
            }
            let outcome = await client.flush()
            if !quiet {
                print("sent \(outcome.sent), rejected \(outcome.rejected), still spooled \(outcome.remaining)")
                if let error = outcome.error { FileHandle.standardError.write(Data("locktrail hook flush: \(error)\n".utf8)) }
            }
            if outcome.remaining > 0 { throw ExitCode(1) }
        }
    }

    struct Emit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report one event (e.g. run.started, lock.force_unlocked) as a wrapper would.",
            discussion: "The event is spooled, then sent to LOCKTRAIL_URL when it can be; --run-id ties events of one run together.")

        @Option(name: .long, help: "The kind: run.started, run.heartbeat, run.finished, lock.contended, lock.force_unlocked, lock.release_failed.")
        var kind: String

        @Option(name: .long, help: "The run this event belongs to (default: a new id).")
        var runID: String?

        @Option(name: .long, help: ArgumentHelp("The state's lock path.", valueName: "bucket/key"))
        var state: String?

        @Option(name: .long, help: "The workspace.")
        var workspace: String?

        @Option(name: .long, help: "The lock ID concerned.")
        var lockID: String?

        @Option(name: .long, help: ArgumentHelp("A detail as key=value (repeatable).", valueName: "key=value"))
        var detail: [String] = []

        func validate() throws {
            guard HookEvent.isAllowed(kind) else {
                throw ValidationError("--kind must be a run.* or lock.* kind (not lock.acquired, lock.released or lock.maintenance_*)")
            }
            for d in detail where !d.contains("=") { throw ValidationError("--detail takes key=value, got \(d)") }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let spool = HookSpool(directory: HookSpool.defaultDirectory(environment: environment))
            var details: [String: JSONValue] = [:]
            for d in detail {
                let eq = d.firstIndex(of: "=")!
                details[String(d[..<eq])] = .string(String(d[d.index(after: eq)...]))
            }
            if details["who"] == nil {
                details["who"] = .string(LocalIdentity.who(environment))
            }
            if let ci = CIContext(environment: environment) { details["ci"] = ci.json }
            let event = HookEvent(
                id: UUID().uuidString.lowercased(), kind: EventKind(named: kind), time: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970),
                runID: runID ?? UUID().uuidString.lowercased(), state: state, workspace: workspace, lockID: lockID, details: details)
            try spool.store(event)
            print("spooled \(event.kind) \(event.id) (run \(event.runID))")
            if let client = HookClient.fromEnvironment(environment, spool: spool) {
                let outcome = await client.flush()
                print("sent \(outcome.sent), still spooled \(outcome.remaining)")
            }
        }
    }
}
