import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// `collect` on a libpq multi-host connection string while the primary is stopped and its
/// streaming replica promoted (Fixtures/pg_pair.sh: initdb, pg_basebackup, pg_ctl promote).
@Suite("PostgreSQL failover", .serialized)
struct FailoverTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pg_pair.sh").path

    @discardableResult
    static func pair(_ arguments: [String]) async throws -> String {
        let process = try Spawned(
            [script] + arguments, environment: ProcessInfo.processInfo.environment,
            directory: URL(fileURLWithPath: NSTemporaryDirectory()))
        guard await process.wait() == 0 else {
            throw TerraformFailure(command: "(pg_pair.sh \(arguments.joined(separator: " ")))", output: process.output)
        }
        return process.output
    }

    /// A primary and its streaming replica for one test, and what every scenario runs against them.
    struct Pair {
        let directory: String
        let ports: [String]
        /// Both servers, the read-write one chosen by libpq.
        var conninfo: String {
            "host=127.0.0.1,127.0.0.1 port=\(ports[0]),\(ports[1]) user=locktrail dbname=postgres target_session_attrs=read-write connect_timeout=2"
        }
        /// The test's environment with the emulator's and `DATABASE_URL` set to `conninfo`.
        var environment: [String: String] {
            var environment = ProcessInfo.processInfo.environment
            for (k, v) in TestAWS.environment { environment[k] = v }
            environment["DATABASE_URL"] = conninfo
            return environment
        }
        var scratch: URL { URL(fileURLWithPath: directory) }

        /// Starts a pair replicating in `mode` (`sync` or `async`).
        static func start(_ mode: String) async throws -> Pair {
            let directory = NSTemporaryDirectory() + "lt-failover-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let ports = try await FailoverTests.pair(["start", directory, mode]).split(whereSeparator: \.isWhitespace).map(String.init)
            return Pair(directory: directory, ports: ports)
        }

        /// Stops both servers (from a `defer`).
        func stop() { _ = try? ChildProcessForTests.run([FailoverTests.script, "stop", directory]) }

        /// Runs `locktrail ARGS` with `environment` (else the pair's).
        func locktrail(_ arguments: [String], _ environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
            let process = try Spawned([LocktrailBinary.path] + arguments, environment: environment ?? self.environment, directory: scratch)
            return (await process.wait(), process.output)
        }

        /// A collector of a new table on the pair (`--interval 0.3s --lease-duration 1.5s`), and a pool to read what it records.
        func collector() async throws -> (table: String, client: DynamoDBClient, process: Spawned, pool: PostgresPool) {
            let table = TestAWS.uniqueName("locks")
            let client = try TestAWS.dynamoDB()
            _ = try await client.createTable(table)
            let process = try Spawned(
                [LocktrailBinary.path, "collect", "--dynamodb-table", table, "--interval", "0.3s", "--lease-duration", "1.5s"],
                environment: environment, directory: scratch)
            return (table, client, process, PostgresPool(conninfo: conninfo, maxConnections: 1))
        }
    }

    /// The states of every `state.written` recorded.
    static func states(_ pool: PostgresPool) async -> [String] {
        (try? await pool.withConnection { try EventLog.list(after: 0, kind: "state.written", state: nil, limit: 10_000, on: $0) }
            .compactMap(\.event.state)) ?? []
    }

    @Test(
        "the primary stopped and the replica promoted mid-run: the collector reconnects; with synchronous replication every committed event survives, none is doubled",
        arguments: ["sync", "async"])
    func failover(_ mode: String) async throws {
        let pair = try await Pair.start(mode)
        defer { pair.stop() }
        let directory = pair.directory
        let migrate = try await pair.locktrail(["migrate"])
        #expect(migrate.status == 0, "\(migrate.output)")

        let (table, client, collector, pool) = try await pair.collector()
        defer { collector.signal(SIGKILL) }
        func states() async -> [String] { await Self.states(pool) }
        func write(_ n: Int) async throws {
            try await client.putItem(table: table, item: ["LockID": .string("b/s\(n).tfstate-md5"), "Digest": .string(String(format: "%032x", n))])
        }

        var n = 0
        while n < 8 { try await write(n); n += 1; try await Task.sleep(for: .milliseconds(150)) }
        try await Task.sleep(for: .milliseconds(600))
        // What the primary has acknowledged just before it goes.
        let acknowledged = try await pool.withConnection { try EventLog.head(on: $0) }
        try await Self.pair(["stop-primary", directory])
        let stopped = Date()
        try await Self.pair(["promote", directory])
        let promoted = Date().timeIntervalSince(stopped)
        try await write(n); n += 1
        // Recovered once an item written after the failover is recorded on the new primary.
        var recovered: Double?
        while Date().timeIntervalSince(stopped) < 60 {
            if await states().contains("b/s\(n - 1).tfstate") { recovered = Date().timeIntervalSince(stopped); break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(recovered != nil, "the collector did not recover: \(collector.output.suffix(3000))")
        while n < 12 { try await write(n); n += 1; try await Task.sleep(for: .milliseconds(150)) }
        let deadline = Date().addingTimeInterval(30)
        var recorded: [String] = []
        while Date() < deadline {
            recorded = await states()
            if recorded.count >= n { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0, "\(collector.output.suffix(2000))")

        let survived = try await pool.withConnection { try EventLog.hash(ofEvent: acknowledged.seq, on: $0) } == acknowledged.hash
        #expect(recorded.sorted() == (0..<n).map { "b/s\($0).tfstate" }.sorted(), "every write recorded exactly once")
        #expect(try await pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
        if mode == "sync" { #expect(survived, "the acknowledged head \(acknowledged.seq) survived the failover") }
        print(
            "failover (\(mode)): promote \(String(format: "%.2f", promoted)) s, first commit on the new primary \(String(format: "%.2f", recovered ?? -1)) s after the primary stopped; acknowledged head \(acknowledged.seq) \(survived ? "survived" : "was lost")"
        )
        await pool.close()
    }
}

extension FailoverTests {
    @Test(
        "asynchronous replication with the replica behind: the failover loses the unreplicated tail, the collector re-records what is still there, and verify --expect-head and the checkpoints show the loss"
    )
    func lostTail() async throws {
        let pair = try await Pair.start("async")
        defer { pair.stop() }
        let directory = pair.directory
        let replicaOnly = "host=127.0.0.1 port=\(pair.ports[1]) user=locktrail dbname=postgres"
        func locktrail(_ arguments: [String]) async throws -> (status: Int32, output: String) { try await pair.locktrail(arguments) }
        #expect(try await locktrail(["migrate"]).status == 0)
        let (table, client, collector, pool) = try await pair.collector()
        defer { collector.signal(SIGKILL) }
        func states() async -> [String] { await Self.states(pool) }
        func write(_ range: Range<Int>) async throws {
            for n in range {
                try await client.putItem(
                    table: table, item: ["LockID": .string("b/s\(n).tfstate-md5"), "Digest": .string(String(format: "%032x", n))])
            }
        }
        func waitFor(_ count: Int) async throws {
            let deadline = Date().addingTimeInterval(30)
            while await states().count < count, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        }
        try await write(0..<5)
        try await waitFor(5)
        // The replica stops replicating: what the primary commits from now on exists only there.
        let replica = PostgresPool(conninfo: replicaOnly, maxConnections: 1)
        try await replica.withConnection { connection in
            try connection.execute("ALTER SYSTEM SET primary_conninfo = ''")
            try connection.execute("SELECT pg_reload_conf()")
        }
        try await Task.sleep(for: .milliseconds(500))
        try await write(5..<9)
        try await waitFor(9)
        let acknowledged = try await pool.withConnection { try EventLog.head(on: $0) }
        let head = "\(acknowledged.seq):" + acknowledged.hash.map { String(format: "%02x", $0) }.joined()
        #expect(try await locktrail(["checkpoint", "keygen", "--out", directory + "/keys"]).status == 0)
        #expect(
            try await locktrail(["checkpoint", "create", "--key", directory + "/keys/checkpoint.key", "--out", directory + "/checkpoints"]).status
                == 0)
        let replicated = try await replica.withConnection { try EventLog.head(on: $0) }.seq
        await replica.close()

        try await Self.pair(["stop-primary", directory])
        try await Self.pair(["promote", directory])
        try await write(9..<10)
        try await waitFor(10)
        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0)

        // The items are still in the table, so the collector, diffing against the older snapshot
        // the new primary has, records the lost writes again: each state once.
        let recorded = await states()
        #expect(recorded.sorted() == (0..<10).map { "b/s\($0).tfstate" }.sorted())
        #expect(replicated < acknowledged.seq, "the replica was behind")
        // The new primary's chain is intact on its own; the head recorded before, and the
        // checkpoint signed at it, prove the tail was lost.
        #expect(try await locktrail(["verify"]).status == 0)
        let anchored = try await locktrail(["verify", "--expect-head", head])
        #expect(anchored.status == 1, "\(anchored.output)")
        let checked = try await locktrail(["verify", "--checkpoints", directory + "/checkpoints", "--public-key", directory + "/keys/checkpoint.pub"])
        #expect(
            checked.status == 1 && (checked.output.contains("no longer has the signed hash") || checked.output.contains("no longer in the log")),
            "\(checked.output)")
        print(
            "lost tail: the primary had acknowledged events up to \(acknowledged.seq), the replica had \(replicated): \(acknowledged.seq - replicated) events lost, re-recorded by the next cycles; verify --expect-head: \(anchored.output.split(separator: "\n").first ?? ""); checkpoints: \(checked.output.split(separator: "\n").last ?? "")"
        )
        await pool.close()
    }
}

extension FailoverTests {
    @Test(
        "serve and the wrapper's deliveries across a synchronous failover: /readyz recovers, events sent meanwhile wait in the spool, each is stored once"
    )
    func serveAndHooks() async throws {
        let pair = try await Pair.start("sync")
        defer { pair.stop() }
        let (directory, conninfo, environment, scratch) = (pair.directory, pair.conninfo, pair.environment, pair.scratch)
        func locktrail(_ arguments: [String], _ env: [String: String]) async throws -> (status: Int32, output: String) {
            try await pair.locktrail(arguments, env)
        }
        #expect(try await locktrail(["migrate"], environment).status == 0)
        let token =
            try await locktrail(["token", "create", "--scope", "ingest", "--name", "ci"], environment).output
            .split(separator: "\n").last.map(String.init) ?? ""
        let port = TCP.freePort()
        let server = try Spawned([LocktrailBinary.path, "serve", "--listen", "127.0.0.1:\(port)"], environment: environment, directory: scratch)
        defer { server.signal(SIGKILL) }
        #expect(TCP.waitForListener(port: port, timeout: 30), "\(server.output)")
        var client = environment
        client["LOCKTRAIL_URL"] = "http://127.0.0.1:\(port)"
        client["LOCKTRAIL_TOKEN"] = token
        client["LOCKTRAIL_SPOOL"] = directory + "/spool"
        func ready() async throws -> Bool {
            let curl = try Spawned(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/readyz"],
                environment: environment, directory: scratch)
            _ = await curl.wait()
            return curl.output == "200"
        }
        @discardableResult
        func emit(_ n: Int) async throws -> String {
            let emitted = try await locktrail(
                ["hook", "emit", "--kind", "run.started", "--run-id", "run-\(n)", "--state", "b/app/terraform.tfstate"], client)
            #expect(emitted.status == 0, "\(emitted.output)")
            return emitted.output
        }
        for n in 0..<3 { try await emit(n) }
        #expect(try await ready())

        try await Self.pair(["stop-primary", directory])
        let stopped = Date()
        for n in 3..<5 {
            // The server cannot store these: they stay spooled, and the command still succeeds.
            let output = try await emit(n)
            #expect(output.contains("sent 0"), "\(output)")
        }
        try await Self.pair(["promote", directory])
        var readyAfter: Double?
        while Date().timeIntervalSince(stopped) < 60 {
            if try await ready() { readyAfter = Date().timeIntervalSince(stopped); break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(readyAfter != nil, "\(server.output.suffix(2000))")
        for n in 5..<7 { try await emit(n) }
        let flush = try await locktrail(["hook", "flush"], client)
        #expect(flush.status == 0, "\(flush.output)")

        let pool = PostgresPool(conninfo: conninfo, maxConnections: 1)
        let runs = try await pool.withConnection { try EventLog.list(after: 0, kind: "run.started", state: nil, limit: 1000, on: $0) }
            .compactMap { $0.event.details["run_id"]?.stringValue }
        await pool.close()
        #expect(runs.sorted() == (0..<7).map { "run-\($0)" }.sorted(), "every hook event stored once: \(runs); server: \(server.output.suffix(3000))")
        print("failover (sync) for serve: /readyz answered 200 again \(String(format: "%.2f", readyAfter ?? -1)) s after the primary stopped")
    }
}

extension FailoverTests {
    @Test(
        "locktrail-wrap around real terraform applies across a synchronous failover: what serve could not store waits in the spool and the next run or the flush delivers it; every run's events stored once"
    )
    func wrapper() async throws {
        let pair = try await Pair.start("sync")
        defer { pair.stop() }
        #expect(try await pair.locktrail(["migrate"]).status == 0)
        let token =
            try await pair.locktrail(["token", "create", "--scope", "ingest", "--name", "ci"]).output
            .split(separator: "\n").last.map(String.init) ?? ""
        let port = TCP.freePort()
        let server = try Spawned(
            [LocktrailBinary.path, "serve", "--listen", "127.0.0.1:\(port)"], environment: pair.environment, directory: pair.scratch)
        defer { server.signal(SIGKILL) }
        #expect(TCP.waitForListener(port: port, timeout: 30), "\(server.output)")
        let bucket = TestAWS.uniqueName("state")
        try await TestAWS.createBucket(bucket)
        let project = try TerraformProject(bucket: bucket, useLockfile: true)
        try await project.initialize()
        let spool = pair.directory + "/spool"
        let client = ["LOCKTRAIL_URL": "http://127.0.0.1:\(port)", "LOCKTRAIL_TOKEN": token, "LOCKTRAIL_SPOOL": spool]
        let wrap = Wrapper.executable
        func apply() async throws {
            let argv = wrap.argv(["terraform", "apply", "-auto-approve", "-no-color"])
            let run = try project.start(Array(argv.dropFirst()), extraEnvironment: client, program: argv[0])
            #expect(await run.wait() == 0, "\(run.output)")
        }
        func spooled() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.count
        }
        func ready() async throws -> Bool {
            let curl = try Spawned(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/readyz"], environment: pair.environment,
                directory: pair.scratch)
            _ = await curl.wait()
            return curl.output == "200"
        }

        try await apply()
        #expect(spooled() == 0, "delivered while the primary runs")
        try await Self.pair(["stop-primary", pair.directory])
        // The run goes as ever; serve answers 503, so its events stay in the spool.
        try await apply()
        #expect(spooled() >= 2, "run.started and run.finished wait in the spool")
        try await Self.pair(["promote", pair.directory])
        let promoted = Date()
        while !(try await ready()), Date().timeIntervalSince(promoted) < 60 { try await Task.sleep(for: .milliseconds(100)) }
        // The next run delivers its own events and what waited; the flush whatever a detached
        // sender of the run left.
        try await apply()
        let flushed = try Spawned(wrap.flushArgv, environment: project.environment.merging(client) { _, new in new }, directory: pair.scratch)
        #expect(await flushed.wait() == 0, "\(flushed.output)")
        #expect(spooled() == 0, "nothing left in the spool")

        let pool = PostgresPool(conninfo: pair.conninfo, maxConnections: 1)
        func runs(_ kind: String) async throws -> [String] {
            try await pool.withConnection { try EventLog.list(after: 0, kind: kind, state: nil, limit: 1000, on: $0) }
                .compactMap { $0.event.details["run_id"]?.stringValue }
        }
        let started = try await runs("run.started"), finished = try await runs("run.finished")
        await pool.close()
        #expect(started.count == 3 && Set(started).count == 3, "each run started once: \(started)")
        #expect(finished.sorted() == started.sorted(), "each run finished once: \(finished)")
        print("failover (sync) for the wrapper: 3 wrapped applies, the second while no server accepted writes, each run's events stored once")
    }
}

/// A command run to completion from a `defer` (no async there).
enum ChildProcessForTests {
    static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
