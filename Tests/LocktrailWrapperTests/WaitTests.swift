import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailTestSupport
import Testing

/// `locktrail wait` and `current --fail-if-held` as CI gates, against real terraform runs.
@Suite("locktrail wait", .serialized)
struct WaitTests {
    static func lockID(_ client: DynamoDBClient, table: String, state: String) async throws -> String {
        for _ in 0..<300 {
            if let info = try await client.getItem(table: table, key: ["LockID": .string(state)])?["Info"]?.stringValue,
                let id = LockRecordParse.parse(Array(info.utf8)).record?.id
            {
                return id
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CancellationError()
    }

    @Test("returns as soon as a real apply ends, printing the holder meanwhile; times out with exit 4 on a stale lock")
    func waitForApply() async throws {
        let table = TestAWS.uniqueName("locks")
        let bucket = TestAWS.uniqueName("state")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        try await TestAWS.createBucket(bucket)
        let project = try TerraformProject(bucket: bucket, dynamoDBTable: table)
        try await project.initialize()
        let db = try await TestDatabase.make()
        let state = "\(bucket)/\(project.key)"
        let env = ["DATABASE_URL": db.conninfo]
        func locktrail(_ arguments: [String]) async throws -> (Int32, String) {
            let run = try project.start(arguments, extraEnvironment: env, program: LocktrailBinary.path)
            let status = await run.wait()
            return (status, run.output)
        }
        #expect(try await project.run(["apply", "-auto-approve", "-no-color"]).status == 0)

        let collector = try project.start(
            ["collect", "--interval", "1s", "--dynamodb-table", table], extraEnvironment: env,
            program: LocktrailBinary.path)
        defer { collector.signal(SIGTERM) }
        let apply = try project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=6"])
        let id = try await Self.lockID(client, table: table, state: state)
        // Until the collector has seen the lock, the log says nothing is held: wait for that first.
        var held = false
        for _ in 0..<100 where !held {
            held = try await locktrail(["current", "--state", state, "--fail-if-held", "--format", "json"]).0 == 5
            if !held { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(held, "the collector saw the apply's lock")

        let gate = try project.start(
            ["wait", "--state", state, "--timeout", "60s", "--poll", "0.5s"], extraEnvironment: env,
            program: LocktrailBinary.path)
        let applyStatus = await apply.wait()
        let applyEnded = Date()
        #expect(applyStatus == 0, "\(apply.output)")
        #expect(await gate.wait() == 0, "\(gate.output)")
        let gateEnded = Date()
        #expect(gate.output.contains("waiting: \(state) is held by"), "\(gate.output)")
        #expect(gate.output.contains(id), "\(gate.output)")
        #expect(gate.output.contains("is free"), "\(gate.output)")
        // As soon as: within the collector's interval, the poll and a process start of the release.
        #expect(gateEnded.timeIntervalSince(applyEnded) < 8, "wait returned \(gateEnded.timeIntervalSince(applyEnded)) s after the apply ended")
        #expect(try await locktrail(["current", "--state", state, "--fail-if-held"]).0 == 0)

        // A lock left by a killed apply is stale: wait times out with its own exit code.
        let victim = try project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        let staleID = try await Self.lockID(client, table: table, state: state)
        victim.signal(SIGKILL)
        _ = await victim.wait()
        try await Task.sleep(for: .seconds(2))
        let started = Date()
        let timedOut = try await locktrail(["wait", "--state", state, "--timeout", "3s", "--poll", "0.5s"])
        #expect(timedOut.0 == 4, "\(timedOut.1)")
        #expect(Date().timeIntervalSince(started) >= 3)
        #expect(timedOut.1.contains(staleID), "\(timedOut.1)")
        #expect(timedOut.1.contains("timed out"), "\(timedOut.1)")
        // The same through a server (`--server`, a read token).
        let token = try await locktrail(["token", "create", "--scope", "read", "--name", "ci"])
        let secret = try #require(token.1.split(separator: "\n").last.map(String.init))
        let port = TCP.freePort()
        let serve = try project.start(["serve", "--listen", "127.0.0.1:\(port)"], extraEnvironment: env, program: LocktrailBinary.path)
        defer { serve.signal(SIGTERM) }
        #expect(TCP.waitForListener(port: port))
        let remote = try await locktrail([
            "wait", "--state", state, "--timeout", "1s", "--poll", "0.5s",
            "--server", "http://127.0.0.1:\(port)", "--token", secret,
        ])
        #expect(remote.0 == 4, "\(remote.1)")
        #expect(remote.1.contains(staleID), "\(remote.1)")
        // An unknown state is a question that cannot be answered: 2, as every query.
        #expect(try await locktrail(["wait", "--state", "\(bucket)/nope/terraform.tfstate", "--timeout", "1s"]).0 == 2)
    }
}
