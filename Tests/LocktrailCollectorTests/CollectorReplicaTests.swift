import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Several `locktrail collect` processes with the same source against one database: one owner
/// at a time, takeover within the bound when the owner dies, nothing lost or recorded twice.
@Suite("Collector replicas", .serialized)
struct CollectorReplicaTests {
    /// The lease of the tests: takeover within twice this.
    static let leaseSeconds = 1.5

    /// Collectors started for a test, and the end of every one of them.
    final class Replicas: @unchecked Sendable {
        let arguments: [String]
        let environment: [String: String]
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
        private let lock = NSLock()
        private(set) var all: [Spawned] = []

        init(arguments: [String], environment: [String: String]) {
            self.arguments = arguments
            self.environment = environment
        }

        @discardableResult
        func start() throws -> Spawned {
            let process = try Spawned([LocktrailBinary.path] + arguments, environment: environment, directory: directory)
            lock.withLock { all.append(process) }
            return process
        }

        func process(pid: Int) -> Spawned? { lock.withLock { all.first { Int($0.pid) == pid } } }

        func stopAll() async {
            for process in lock.withLock({ all }) {
                process.signal(SIGCONT)
                process.signal(SIGKILL)
                _ = await process.wait()
            }
        }
    }

    /// The current owner of `source` per `locktrail sources`' store call.
    static func owner(_ db: TestDatabase, _ source: String) async throws -> SourceOverview.Owner? {
        try await db.store.sources.list().first { $0.source == source }?.owner
    }

    /// Waits until `source` is owned with a token above `token`; returns the new owner and the seconds waited.
    static func waitForOwner(
        _ db: TestDatabase, _ source: String, above token: UInt64, timeout: Double = 30
    ) async throws
        -> (owner: SourceOverview.Owner, seconds: Double)
    {
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            if let owner = try await owner(db, source), owner.token > token { return (owner, Date().timeIntervalSince(started)) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TerraformFailure(command: "(waiting for an owner of \(source) past token \(token))", output: "none within \(timeout) s")
    }

    @Test(
        "three collectors under SIGKILL churn record every lock of real terraform runs exactly once; takeovers come within the bound; a stopped owner finds it lost the source"
    )
    func churn() async throws {
        let table = TestAWS.uniqueName("locks"), bucket = TestAWS.uniqueName("state")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        try await TestAWS.createBucket(bucket)
        let projects = try (0..<3).map { try TerraformProject(bucket: bucket, key: "app\($0)/terraform.tfstate", dynamoDBTable: table) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for project in projects { group.addTask { try await project.initialize() } }
            try await group.waitForAll()
        }
        let db = try await TestDatabase.make()
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        let replicas = Replicas(
            arguments: [
                "collect", "--dynamodb-table", table, "--interval", "0.5s",
                "--lease-duration", "\(Self.leaseSeconds)s",
            ], environment: environment)
        let source = "dynamodb:us-east-1/\(table)"
        for _ in 0..<3 { try replicas.start() }
        defer { Task { await replicas.stopAll() } }

        // Each project applies twice, holding its lock 4 s: longer than a takeover (3 s at most),
        // so a poll sees every lock even while the source changes hands.
        let applies = Self.applyTwice(projects, client: client, table: table, bucket: bucket, hold: 4)

        // Churn: kill the owner three times, each time starting a replacement; then stop one.
        var first = try await Self.waitForOwner(db, source, above: 0).owner
        var takeovers: [Double] = []
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1500)))
            let victim = try #require(replicas.process(pid: first.pid), "the owner is one of ours")
            victim.signal(SIGKILL)
            let next = try await Self.waitForOwner(db, source, above: first.token)
            #expect(next.owner.pid != first.pid)
            takeovers.append(next.seconds)
            try replicas.start()
            first = next.owner
        }
        // An owner stopped (a frozen VM) past its lease: another takes over, and once it runs
        // again it learns it lost the source rather than carrying on.
        let frozen = try #require(replicas.process(pid: first.pid))
        frozen.signal(SIGSTOP)
        let afterFreeze = try await Self.waitForOwner(db, source, above: first.token)
        takeovers.append(afterFreeze.seconds)
        frozen.signal(SIGCONT)
        // `locktrail sources` names the owner and the lag.
        let listed = try Spawned([LocktrailBinary.path, "sources", "--format", "json"], environment: environment, directory: replicas.directory)
        #expect(await listed.wait() == 0, "\(listed.output)")
        let row = try #require(try JSONParser.parse(listed.output).arrayValue?.first { $0["source"]?.stringValue == source }, "\(listed.output)")
        #expect(row["owner"]?["pid"]?.numberValue.map(Int.init) == afterFreeze.owner.pid, "\(listed.output)")
        #expect(row["owner"]?["lease_token"]?.numberValue.map { UInt64($0) } == afterFreeze.owner.token)
        #expect(row["lag_seconds"]?.numberValue != nil && row["last_success"]?.stringValue != nil, "\(listed.output)")

        let truth = try await applies.value
        #expect(truth.count == 6 && Set(truth).count == 6)
        // Every release is recorded once the next cycles run.
        let deadline = Date().addingTimeInterval(30)
        var events: [Event] = []
        while Date() < deadline {
            events = try await db.store.events.list(after: 0, limit: 10_000).map(\.event)
            if Set(events.filter { $0.kind == .lockReleased }.compactMap(\.lockID)).isSuperset(of: truth) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let frozenLog = frozen.output
        await replicas.stopAll()

        let acquired = events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID)
        let released = events.filter { $0.kind == .lockReleased }.compactMap(\.lockID)
        #expect(acquired.sorted() == truth.sorted(), "every lock acquired once")
        #expect(released.sorted() == truth.sorted(), "every lock released once")
        #expect(try await db.store.events.verify().isIntact)
        // The bound: twice the lease (two intervals, at least 30 s, with the default lease).
        for seconds in takeovers { #expect(seconds <= 2 * Self.leaseSeconds, "takeover took \(seconds) s") }
        #expect(frozenLog.contains("lease lost") || frozenLog.contains("taken over"), "\(frozenLog.suffix(2000))")
        #expect(replicas.all.count == 6)
        print("takeover seconds after SIGKILL/SIGSTOP: \(takeovers.map { String(format: "%.2f", $0) })")
    }

    @Test("an owner stopped in the middle of a cycle past its lease: another takes over, and the old owner's commit is refused whole")
    func fencedCommit() async throws {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        let db = try await TestDatabase.make()
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        let proxy = try await CollectorFaultTests.Proxy()
        defer { proxy.stop() }
        var throughProxy = environment
        throughProxy["AWS_ENDPOINT_URL"] = proxy.url
        let arguments = ["collect", "--dynamodb-table", table, "--interval", "0.5s", "--lease-duration", "\(Self.leaseSeconds)s"]
        let source = "dynamodb:us-east-1/\(table)"
        let slow = Replicas(arguments: arguments, environment: throughProxy), direct = Replicas(arguments: arguments, environment: environment)
        defer {
            Task {
                await slow.stopAll(); await direct.stopAll()
            }
        }
        let victim = try slow.start()
        let owner = try await Self.waitForOwner(db, source, above: 0).owner
        #expect(owner.pid == Int(victim.pid))

        // Its next scan is held at the proxy; then the whole process stops, past its lease.
        try proxy.set("hold")
        let held = proxy.control.appendingPathExtension("held")
        let deadline = Date().addingTimeInterval(10)
        while (try? String(contentsOf: held, encoding: .utf8)) == nil, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        victim.signal(SIGSTOP)
        try direct.start()
        let next = try await Self.waitForOwner(db, source, above: owner.token)
        try await client.putItem(table: table, item: ["LockID": .string("b/s.tfstate-md5"), "Digest": .string(String(repeating: "a", count: 32))])
        func writes() async throws -> Int {
            try await db.store.events.list(after: 0, kind: "state.written", limit: 100).count
        }
        let recorded = Date().addingTimeInterval(15)
        while try await writes() == 0, Date() < recorded { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await writes() == 1, "the new owner recorded the write")

        // Resumed, the old owner's scan completes and its commit is refused: it lost the source.
        try proxy.set("")
        victim.signal(SIGCONT)
        let refused = Date().addingTimeInterval(15)
        while !victim.output.contains("this cycle was discarded"), Date() < refused { try await Task.sleep(for: .milliseconds(100)) }
        #expect(victim.output.contains("this cycle was discarded"), "\(victim.output.suffix(3000))")
        #expect(victim.output.contains("was taken over by"), "the refusal names the new owner")
        #expect(try await Self.owner(db, source)?.token == next.owner.token, "the new owner keeps the source")
        #expect(try await writes() == 1, "nothing recorded twice")
        #expect(try await db.store.events.verify().isIntact)
        await slow.stopAll()
        await direct.stopAll()
    }

    /// Waits until the lock item of `path` exists and returns its record.
    /// Each project applies twice, one after the other, the projects in parallel, each apply
    /// holding its lock `hold` seconds; the task's value is every lock ID seen taken.
    static func applyTwice(
        _ projects: [TerraformProject], client: DynamoDBClient, table: String, bucket: String, hold: Int
    ) -> Task<[String], any Error> {
        Task {
            try await withThrowingTaskGroup(of: [String].self) { group in
                for project in projects {
                    group.addTask {
                        var ids: [String] = []
                        for _ in 0..<2 {
                            let apply = try project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=\(hold)"])
                            ids.append(try await waitForLock(client, table: table, path: "\(bucket)/\(project.key)").id)
                            let status = await apply.wait()
                            guard status == 0 else { throw TerraformFailure(command: "apply", output: apply.output) }
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
    }

    static func waitForLock(_ client: DynamoDBClient, table: String, path: String, timeout: Double = 60) async throws -> LockRecord {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let item = try await client.getItem(table: table, key: ["LockID": .string(path)]),
                case .string(let info)? = item["Info"], let record = LockRecordParse.parse(Array(info.utf8)).record
            {
                return record
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TerraformFailure(command: "(waiting for the lock on \(path))", output: "no lock item appeared")
    }
}
