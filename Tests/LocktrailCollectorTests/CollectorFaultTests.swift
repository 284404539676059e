import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// Crashes, throttling and a database that goes away: nothing lost, nothing duplicated.
@Suite("Collector faults", .serialized)
struct CollectorFaultTests {
    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    static func record(_ id: String, _ path: String) -> String {
        #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"ci@runner","Version":"1.11.4","Created":"2025-03-04T05:06:07.5Z","Path":"\#(path)"}"#
    }

    static func lockID(_ n: Int) -> String { String(format: "%08x-0000-0000-0000-%012x", n, n) }

    /// The `locktrail` binary built next to the test bundle.
    static var binary: String { LocktrailBinary.path }

    /// Applies a scripted change to the table and returns what the truth is afterwards.
    struct Truth {
        var locks: [String: String] = [:]  // lock path → lock ID currently held
        var everAcquired: Set<String> = []
        var released: Set<String> = []
        var digests: [String: [String]] = [:]  // lock path → every digest value it had
    }

    static func mutate(_ client: DynamoDBClient, table: String, step: Int, truth: inout Truth) async throws {
        // Release the oldest lock, take two new ones, change one digest, add one state.
        if let (path, id) = truth.locks.sorted(by: { $0.key < $1.key }).first {
            _ = try await client.deleteItem(table: table, key: ["LockID": .string(path)])
            truth.locks.removeValue(forKey: path)
            truth.released.insert(id)
        }
        for k in 0..<2 {
            let n = step * 10 + k
            let path = "bucket/s\(n).tfstate"
            let id = lockID(n)
            try await client.putItem(table: table, item: ["LockID": .string(path), "Info": .string(record(id, path))])
            truth.locks[path] = id
            truth.everAcquired.insert(id)
        }
        let digestPath = "bucket/d\(step % 3).tfstate"
        let value = String(format: "%032x", step)
        try await client.putItem(table: table, item: ["LockID": .string(digestPath + "-md5"), "Digest": .string(value)])
        truth.digests[digestPath, default: []].append(value)
    }

    static func check(_ events: [Event], against truth: Truth) {
        let acquired = events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID)
        let released = events.filter { $0.kind == .lockReleased }.compactMap(\.lockID)
        #expect(acquired.count == Set(acquired).count, "duplicate acquires")
        #expect(released.count == Set(released).count, "duplicate releases")
        #expect(Set(acquired) == truth.everAcquired)
        #expect(Set(released) == truth.released)
        for (path, values) in truth.digests {
            let written = events.filter { $0.kind == .stateWritten && $0.state == path }.compactMap { $0.details["digest"]?.stringValue }
            #expect(written == values, "writes of \(path)")
        }
    }

    @Test("the collector killed with SIGKILL at random points over many cycles: no duplicate and no missing event")
    func sigkill() async throws {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        let db = try await TestDatabase.make()
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
        // Enough states that a cycle takes a while, so kills land at every stage of it.
        for n in 0..<300 {
            try await client.putItem(
                table: table, item: ["LockID": .string("bucket/bulk\(n).tfstate-md5"), "Digest": .string(String(format: "%032x", n))])
        }
        var truth = Truth()
        var killedMidway = 0
        for step in 1...12 {
            try await Self.mutate(client, table: table, step: step, truth: &truth)
            let victim = try Spawned([Self.binary, "collect", "--once", "--dynamodb-table", table], environment: environment, directory: directory)
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...120)))
            victim.signal(SIGKILL)
            if await victim.wait() == 128 + SIGKILL { killedMidway += 1 }
            let survivor = try Spawned([Self.binary, "collect", "--once", "--dynamodb-table", table], environment: environment, directory: directory)
            #expect(await survivor.wait() == 0, "\(survivor.output)")
        }
        #expect(killedMidway > 0, "no run was killed before it finished")
        let events = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 10_000, on: $0) }.map(\.event)
        Self.check(events, against: truth)
        #expect(try await db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }

    /// The proxy in front of the emulator, with its control file.
    struct Proxy {
        let url: String
        let control: URL
        let process: Spawned

        init() async throws {
            let port = TCP.freePort()  // a random pick could collide with another test's server
            control = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("proxy-\(UUID().uuidString.prefix(8))")
            try "".write(to: control, atomically: true, encoding: .utf8)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fault_proxy.py").path
            process = try Spawned(
                ["python3", script, String(port), TestAWS.endpoint, control.path],
                environment: ProcessInfo.processInfo.environment, directory: URL(fileURLWithPath: NSTemporaryDirectory()))
            url = "http://127.0.0.1:\(port)"
            guard TCP.waitForListener(port: port, timeout: 30)
            else  // python starts slowly on a loaded machine
            { throw TerraformFailure(command: "(fault proxy)", output: process.output) }
        }

        func set(_ mode: String) throws { try mode.write(to: control, atomically: true, encoding: .utf8) }
        var throttled: Int { Int((try? String(contentsOf: control.appendingPathExtension("count"), encoding: .utf8)) ?? "0") ?? 0 }
        func stop() { process.signal(SIGKILL) }
    }

    @Test("throttling is retried; observation that lapses is recorded as a coverage gap")
    func throttling() async throws {
        let table = TestAWS.uniqueName("locks")
        let direct = try TestAWS.dynamoDB()
        _ = try await direct.createTable(table)
        let proxy = try await Proxy()
        defer { proxy.stop() }
        var env = TestAWS.environment
        env["AWS_ENDPOINT_URL"] = proxy.url
        let configuration = try AWSConfiguration.resolve(environment: env)
        let (_, credentials, transport) = try TestAWS.clients()
        let client = try DynamoDBClient(
            configuration: configuration, credentials: credentials, transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)))
        let db = try await TestDatabase.make()
        let source = DynamoDBLockTableSource(table: table, region: "us-east-1", client: client, gapThreshold: 1)
        var truth = Truth()
        try await Self.mutate(direct, table: table, step: 1, truth: &truth)

        // Two throttled answers, then success: the cycle retries and commits.
        try proxy.set("throttle 2")
        let report = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
        #expect(report.appended == 3)
        #expect(proxy.throttled == 2)

        // Throttled beyond the retries: the cycle fails and says why; nothing is recorded.
        try proxy.set("down")
        try await Self.mutate(direct, table: table, step: 2, truth: &truth)
        await #expect(throws: AWSError.self) {
            try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
        }
        let state = try await db.pool.withConnection { try SourceStore.state(of: source.name, on: $0) }
        #expect(state?.failures == 1)
        #expect(state?.lastError?.contains("ThrottlingException") == true)

        // Healed after the gap threshold: the lapse is a coverage gap, and the changes are recorded once.
        try await Task.sleep(for: .milliseconds(1200))
        try proxy.set("")
        let healed = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
        #expect(healed.gapRecorded)
        let events = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 1000, on: $0) }.map(\.event)
        let gap = try #require(events.first { $0.kind == .coverageGap })
        #expect(gap.details["reason"]?.stringValue?.contains("ThrottlingException") == true)
        Self.check(events, against: truth)
    }

    @Test("PostgreSQL stopped and restarted mid-run: the collector carries on and nothing is lost")
    func databaseRestart() async throws {
        // A server of our own, so stopping it disturbs no other test.
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lt-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o755)
        let server = EmbeddedPostgres(directory: directory.appendingPathComponent("pg"), port: Int.random(in: 6000...6999))
        try server.start()
        defer { _ = try? server.stop() }
        let pool = PostgresPool(conninfo: server.conninfo, maxConnections: 2)
        try await pool.withConnection { try Migrator.migrate(on: $0) }

        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        let source = DynamoDBLockTableSource(table: table, region: "us-east-1", client: client, gapThreshold: 1)
        let service = CollectorService(
            schedules: [.init(source: source, interval: 0.2)], store: SourceStore(pool: pool), once: false,
            logger: Logger(label: "test"), now: Self.now)
        let running = Task { try await service.run() }

        var truth = Truth()
        try await Self.mutate(client, table: table, step: 1, truth: &truth)
        try await Task.sleep(for: .milliseconds(800))
        try server.stop()
        try await Self.mutate(client, table: table, step: 2, truth: &truth)
        try await Task.sleep(for: .milliseconds(1500))  // cycles fail meanwhile
        try server.start()
        try await Self.mutate(client, table: table, step: 3, truth: &truth)
        // Wait until the last change is recorded.
        let deadline = Date().addingTimeInterval(30)
        var events: [Event] = []
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(300))
            events = (try? await pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 1000, on: $0) }.map(\.event)) ?? []
            if Set(events.compactMap(\.lockID)).isSuperset(of: truth.everAcquired),
                events.contains(where: { $0.kind == .stateWritten && $0.details["digest"]?.stringValue == truth.digests["bucket/d0.tfstate"]?.last })
            {
                break
            }
        }
        running.cancel()
        _ = try? await running.value
        // Changes made while the database was down are recorded once it is back; step 2's
        // digest was overwritten before any scan could commit it, so only its last value counts.
        let acquired = events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID)
        #expect(acquired.count == Set(acquired).count)
        #expect(Set(acquired) == truth.everAcquired)
        #expect(Set(events.filter { $0.kind == .lockReleased }.compactMap(\.lockID)) == truth.released)
        #expect(events.contains { $0.kind == .coverageGap })
        #expect(try await pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }
}
