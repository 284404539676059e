import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailTestSupport
import LocktrailWrapper
import Testing

/// `locktrail wrap` and `locktrail-wrap` around the real terraform binary on the emulator, with no
/// server reachable: the command behaves as if unwrapped and every event waits in the spool.
@Suite("locktrail wrap with real terraform", .serialized)
struct WrapTerraformTests {
    struct Fixture {
        let wrapper: Wrapper
        let project: TerraformProject
        let spool: URL
        let table: String
        let client: DynamoDBClient

        init(_ wrapper: Wrapper) async throws {
            self.wrapper = wrapper
            table = TestAWS.uniqueName("locks")
            let bucket = TestAWS.uniqueName("state")
            client = try TestAWS.dynamoDB()
            _ = try await client.createTable(table)
            try await TestAWS.createBucket(bucket)
            project = try TerraformProject(bucket: bucket, dynamoDBTable: table)
            try await project.initialize()
            spool = project.directory.appendingPathComponent("spool")
        }

        var lockPath: String { "\(project.bucket)/\(project.key)" }

        /// `terraform ARGS` under the wrapper in the project, server unreachable.
        func wrap(_ arguments: [String]) throws -> Spawned {
            let argv = wrapper.argv(["terraform"] + arguments)
            return try project.start(
                Array(argv.dropFirst()),
                extraEnvironment: [
                    "LOCKTRAIL_SPOOL": spool.path, "LOCKTRAIL_URL": "http://127.0.0.1:9",  // nothing listens on port 9
                ], program: argv[0])
        }

        func events() -> [HookEvent] { HookSpool(directory: spool).pending().map(\.event) }

        func waitForLock() async throws -> String {
            for _ in 0..<600 {
                if let item = try await client.getItem(table: table, key: ["LockID": .string(lockPath)]),
                    case .string(let info)? = item["Info"], let id = LockRecordParse.parse(Array(info.utf8)).record?.id
                {
                    return id
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TerraformFailure(command: "(waiting for a lock)", output: "")
        }
    }

    @Test("a normal apply: exit code passed through, the run reported with its state and backend", arguments: Wrapper.allCases)
    func apply(_ wrapper: Wrapper) async throws {
        let f = try await Fixture(wrapper)
        let run = try f.wrap(["apply", "-auto-approve", "-no-color"])
        #expect(await run.wait() == 0, "\(run.output)")
        #expect(run.output.contains("Apply complete!"))
        let events = f.events()
        #expect(events.map(\.kind) == [.runStarted, .runFinished])
        #expect(Set(events.map(\.runID)).count == 1)
        let started = try #require(events.first)
        #expect(started.state == f.lockPath)
        #expect(started.workspace == "default")
        #expect(started.details["subcommand"] == "apply")
        #expect(started.details["backend"]?["dynamodb_table"] == .string(f.table))
        #expect(events.last?.details["exit_code"] == 0)
    }

    @Test("a blocked apply: exit code 1, contention recorded with the holder", arguments: Wrapper.allCases)
    func contention(_ wrapper: Wrapper) async throws {
        let f = try await Fixture(wrapper)
        let holder = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=6"])
        let holderID = try await f.waitForLock()
        let blocked = try f.wrap(["apply", "-auto-approve", "-lock-timeout=0s"])
        #expect(await blocked.wait() == 1)
        #expect(blocked.output.contains("Error acquiring the state lock"))
        #expect(await holder.wait() == 0)
        let contended = try #require(f.events().first { $0.kind == .lockContended })
        #expect(contended.lockID == holderID)
        #expect(contended.state == f.lockPath)
        #expect(contended.details["holder_operation"] == "OperationTypeApply")
        #expect(f.events().last?.details["exit_code"] == 1)
    }

    @Test("force-unlock of a killed apply's lock under wrap: recorded with the actor", arguments: Wrapper.allCases)
    func forceUnlock(_ wrapper: Wrapper) async throws {
        let f = try await Fixture(wrapper)
        let victim = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        let id = try await f.waitForLock()
        victim.signal(SIGKILL)
        _ = await victim.wait()
        let unlock = try f.wrap(["force-unlock", "-force", id])
        #expect(await unlock.wait() == 0, "\(unlock.output)")
        let event = try #require(f.events().first { $0.kind == .lockForceUnlocked })
        #expect(event.lockID == id)
        #expect(event.details["actor"]?.stringValue?.contains("@") == true)
        #expect(event.details["outcome"] == "unlocked")
    }

    @Test("a lock force-removed while its holder runs: the holder's failed release is recorded", arguments: Wrapper.allCases)
    func releaseFailed(_ wrapper: Wrapper) async throws {
        let f = try await Fixture(wrapper)
        let holder = try f.wrap(["apply", "-auto-approve", "-var", "hold=5"])
        let id = try await f.waitForLock()
        let unlock = try await f.project.run(["force-unlock", "-force", id])
        #expect(unlock.status == 0)
        #expect(await holder.wait() == 1)  // terraform reports the failed release as an error
        let failed = try #require(f.events().first { $0.kind == .lockReleaseFailed })
        #expect(failed.lockID == id)
    }

    @Test("SIGINT to the wrapper reaches terraform, which releases its lock", arguments: Wrapper.allCases)
    func sigint(_ wrapper: Wrapper) async throws {
        let f = try await Fixture(wrapper)
        let run = try f.wrap(["apply", "-auto-approve", "-no-color", "-var", "hold=60"])
        _ = try await f.waitForLock()
        run.signal(SIGINT)
        let status = await run.wait()
        #expect(status != 0)
        #expect(run.output.contains("Interrupt received") || run.output.contains("interrupt"), "\(run.output)")
        let item = try await f.client.getItem(table: f.table, key: ["LockID": .string(f.lockPath)])
        #expect(item?["Info"] == nil, "the lock is still held")
        #expect(f.events().last?.kind == .runFinished)
    }

    @Test("under a pseudo-terminal an interactive prompt is answered", arguments: Wrapper.allCases)
    func prompt(_ wrapper: Wrapper) async throws {
        let f = try await Fixture(wrapper)
        // A pseudo-terminal that answers "Enter a value:" with "yes", as the user would.
        let argv = try TerminalPlayer.argv(
            f.wrapper.argv(["terraform", "apply"]), in: f.project.directory,
            answer: (prompt: "Enter a value:", reply: "yes"))
        let run = try f.project.start(
            Array(argv.dropFirst()),
            extraEnvironment: [
                "LOCKTRAIL_SPOOL": f.spool.path, "TF_IN_AUTOMATION": "",
            ], program: argv[0])
        #expect(await run.wait() == 0, "\(run.output)")
        #expect(run.output.contains("Enter a value:"))
        #expect(run.output.contains("Apply complete!"))
        #expect(run.output.contains("\u{1B}["), "colours reach the terminal")
        #expect(f.events().last?.details["exit_code"] == 0)
    }
}
