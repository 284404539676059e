import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// The collector reading a lock table's DynamoDB stream on the emulator, with real terraform and
/// a real PostgreSQL: holds shorter than the poll interval, a collector killed mid-shard, and a
/// stream that cannot be resumed.
@Suite("DynamoDB stream collector", .serialized)
struct DynamoDBStreamCollectorTests {
    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
    static let both = DynamoDBStreamSpecification(enabled: true, viewType: .newAndOldImages)

    static func streams() throws -> DynamoDBStreamsClient {
        let (configuration, credentials, transport) = try TestAWS.clients()
        return try DynamoDBStreamsClient(
            configuration: configuration, credentials: credentials, transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: 3))
    }

    static func events(_ db: TestDatabase) async throws -> [Event] {
        try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 100_000, on: $0) }.map(\.event)
    }

    static func environment(_ db: TestDatabase) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        return environment
    }

    /// Waits until the source has attached its stream (the first reconciliation committed).
    static func waitForAttach(_ db: TestDatabase, source: String, collector: Spawned, timeout: Double = 60) async throws -> StreamCheckpoint {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let stream = try await db.pool.withConnection({ try SourceStore.stream(of: source, on: $0) }) { return stream }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TerraformFailure(command: "(waiting for the collector to attach the stream)", output: collector.output)
    }

    static func record(_ id: String, _ path: String) -> String {
        #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"ci@runner","Version":"1.11.4","Created":"\#(now().rfc3339)","Path":"\#(path)"}"#
    }

    static func lockID(_ n: Int) -> String { String(format: "%08x-0000-0000-0000-%012x", n, n) }

    @Test("ten terraform plans with --interval 60s: every hold within seconds, acquire exact, release within one second")
    func tenPlans() async throws {
        let table = TestAWS.uniqueName("locks")
        let bucket = TestAWS.uniqueName("state")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table, stream: Self.both)
        try await TestAWS.createBucket(bucket)
        let project = try TerraformProject(bucket: bucket, dynamoDBTable: table)
        try await project.initialize()
        let db = try await TestDatabase.make()
        let source = "dynamodb:us-east-1/\(table)"
        let collector = try Spawned(
            [LocktrailBinary.path, "collect", "--dynamodb-table", table, "--interval", "60s"],
            environment: Self.environment(db), directory: project.directory)
        defer { collector.signal(SIGKILL) }
        _ = try await Self.waitForAttach(db, source: source, collector: collector)

        for _ in 0..<10 {
            let plan = try await project.run(["plan", "-no-color", "-input=false"])
            #expect(plan.status == 0, "\(plan.output)")
        }
        let finished = Date()
        var events: [Event] = []
        var plans: [Event] = []
        while Date().timeIntervalSince(finished) < 15 {
            events = try await Self.events(db)
            plans = events.filter { $0.kind == .lockAcquired && $0.details["operation"] == "OperationTypePlan" }
            let released = Set(events.filter { $0.kind == .lockReleased }.compactMap(\.lockID))
            if plans.count >= 10, plans.allSatisfy({ released.contains($0.lockID ?? "") }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(Date().timeIntervalSince(finished) < 15, "the holds took longer than 15 s to appear: \(collector.output)")
        #expect(plans.count == 10)
        #expect(Set(plans.compactMap(\.lockID)).count == 10)
        var exact = 0
        for acquired in plans {
            #expect(acquired.key.hasPrefix("ddbs|"), "not from the stream: \(acquired.key)")
            let created = try #require(acquired.details["created"]?.stringValue.flatMap(Timestamp.init(parsing:)))
            switch acquired.time {
            case .exact(let at):
                // Exact only ever at Created, inside the stream's window.
                exact += 1
                #expect(at == created && acquired.details["time_basis"] == "created")
            case .between(let after?, _):
                // The first lock after the collector attached has no record before it in the
                // shard: its Created counts only inside its own second.
                #expect(created <= after && acquired.details["time_basis"] == "stream")
            case .between(nil, _):
                Issue.record("an acquire without a lower bound")
            }
            let released = try #require(events.first { $0.kind == .lockReleased && $0.lockID == acquired.lockID })
            #expect(released.key.hasPrefix("ddbs|"))
            guard case .between(let after?, let notAfter) = released.time else { Issue.record("release without bounds"); continue }
            #expect(notAfter.microseconds - after.microseconds == 1_000_000)  // (second − 1 µs, second + 999,999 µs]
            #expect(notAfter >= created)
        }
        // Each plan's lock follows the previous plan's release in the shard: exact at Created.
        #expect(exact >= 9)
        // One event per change: the stream's; the scan at start recorded nothing of these.
        #expect(events.filter { $0.kind == .lockReleased }.count == 10)
        #expect(try await db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
        _ = try await db.store.derivation.catchUp()
        let holds = try await db.store.answers.history(
            state: "\(bucket)/app/terraform.tfstate", who: nil, since: nil, until: nil, cursor: nil, limit: 100)
        #expect(holds.items.filter { $0["operation"] == "OperationTypePlan" && $0["release_kind"] == "released" }.count == 10)
        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0, "\(collector.output)")
    }

    /// The source's push lag in the database's metrics now.
    static func pushLag(_ db: TestDatabase, source: String) async throws -> Double? {
        try await db.store.metrics.samples(now: now()).first {
            sample in sample.name == "locktrail_source_push_lag_seconds" && sample.labels.contains { $0.0 == "source" && $0.1 == source }
        }?.value
    }

    @Test("push lag: small while the table is idle and its reader polls, growing once the collector stops")
    func idleLag() async throws {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table, stream: Self.both)
        let db = try await TestDatabase.make()
        let source = "dynamodb:us-east-1/\(table)"
        let directory = FileManager.default.temporaryDirectory
        let collector = try Spawned(
            [LocktrailBinary.path, "collect", "--dynamodb-table", table, "--interval", "60s"],
            environment: Self.environment(db), directory: directory)
        defer { collector.signal(SIGKILL) }
        _ = try await Self.waitForAttach(db, source: source, collector: collector)
        let path = "b/app/terraform.tfstate"
        try await client.putItem(table: table, item: ["LockID": .string(path), "Info": .string(Self.record(Self.lockID(7), path))])
        _ = try await client.deleteItem(table: table, key: ["LockID": .string(path)])
        let quiet = Date()
        // Idle for longer than the reader's idle record interval (10 s): the lag stays well under the
        // time since the last record (it measured the last reconciliation before).
        try await Task.sleep(for: .seconds(25))
        let idle = try #require(try await Self.pushLag(db, source: source))
        #expect(idle < Date().timeIntervalSince(quiet) - 5, "an idle stream whose reader polls is caught up: \(idle)")
        #expect(try await Self.events(db).filter { $0.kind == .lockReleased }.count == 1)

        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0, "\(collector.output)")
        let stopped = Date()
        try await Task.sleep(for: .seconds(2))
        let grown = try #require(try await Self.pushLag(db, source: source))
        #expect(grown >= Date().timeIntervalSince(stopped) - 0.5, "the lag grows once nobody reads: \(grown)")
        print("stream push lag seconds: idle \(idle), stopped \(grown)")
    }

    @Test("the collector SIGKILLed in the middle of reading a shard and restarted: nothing lost, nothing twice")
    func sigkillMidShard() async throws {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table, stream: Self.both)
        let db = try await TestDatabase.make()
        let source = "dynamodb:us-east-1/\(table)"
        let environment = Self.environment(db)
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
        let attach = try Spawned(
            [LocktrailBinary.path, "collect", "--once", "--dynamodb-table", table], environment: environment, directory: directory)
        #expect(await attach.wait() == 0, "\(attach.output)")
        _ = try await Self.waitForAttach(db, source: source, collector: attach)

        // 400 locks taken and released, and a digest written each time: 1,200 records in one shard.
        var ids: Set<String> = []
        for n in 0..<400 {
            let path = "bucket/s\(n % 37).tfstate"
            let id = Self.lockID(n)
            ids.insert(id)
            try await client.putItem(table: table, item: ["LockID": .string(path), "Info": .string(Self.record(id, path))])
            try await client.putItem(table: table, item: ["LockID": .string(path + "-md5"), "Digest": .string(String(format: "%032x", n))])
            _ = try await client.deleteItem(table: table, key: ["LockID": .string(path)])
        }
        var killed = 0
        var positions: [String] = []
        // Kills after growing delays, so some land inside the read on a fast machine and on a
        // slow one alike (a quiet machine reads the whole shard in well under a second).
        for delay in [60, 150, 300, 500, 900, 1500] {
            // Small commits, so a kill lands between and inside them.
            let victim = try Spawned(
                [LocktrailBinary.path, "collect", "--once", "--stream-batch", "10", "--dynamodb-table", table],
                environment: environment, directory: directory)
            try await Task.sleep(for: .milliseconds(delay))
            victim.signal(SIGKILL)
            if await victim.wait() == 128 + SIGKILL { killed += 1 }
            let stream = try await db.pool.withConnection { try SourceStore.stream(of: source, on: $0) }
            positions.append(stream?.positions.values.first ?? "-")
        }
        #expect(killed > 0, "no run was killed before it finished")
        let survivor = try Spawned(
            [LocktrailBinary.path, "collect", "--once", "--dynamodb-table", table], environment: environment, directory: directory)
        #expect(await survivor.wait() == 0, "\(survivor.output)")

        let events = try await Self.events(db)
        let acquired = events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID)
        let released = events.filter { $0.kind == .lockReleased }.compactMap(\.lockID)
        #expect(acquired.count == Set(acquired).count, "duplicate acquires")
        #expect(released.count == Set(released).count, "duplicate releases")
        #expect(Set(acquired) == ids)
        #expect(Set(released) == ids)
        #expect(events.filter { $0.kind == .stateWritten }.count == 400)
        #expect(events.allSatisfy { $0.kind != .coverageGap })
        #expect(Set(positions).count > 1, "every kill came before the first commit or after the last: \(positions)")
        #expect(try await db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }

    @Test("a stream replaced by another (a new ARN, sequence numbers anew): a gap, a scan resynchronises, the answers are right")
    func unresumable() async throws {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table, stream: Self.both)
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        let settings = DynamoDBStreamSettings(client: try Self.streams(), reconcileInterval: 600, pollInterval: 0, describeInterval: 0)
        let source = DynamoDBLockTableSource(table: table, region: "us-east-1", client: client, stream: settings)
        func cycle() async throws -> CycleReport { try await source.runCycle(store: store, now: Self.now, logger: Logger(label: "test")) }
        let (a, b, c) = ("bucket/a.tfstate", "bucket/b.tfstate", "bucket/c.tfstate")

        #expect(try await cycle().mode == .reconcile)  // attach: the scan is the baseline
        let first = try #require(try await db.pool.withConnection { try SourceStore.stream(of: source.name, on: $0) })
        try await client.putItem(table: table, item: ["LockID": .string(a), "Info": .string(Self.record(Self.lockID(1), a))])
        let read = try await cycle()
        #expect(read.mode == .stream && read.streamRecords == 1 && read.appended == 1)

        // A new stream where the collector had one. The emulator cannot enable a stream again once
        // it was disabled (UpdateTable answers ResourceInUseException "Cannot enable stream"), so
        // the table is deleted and created again between two cycles: to the collector it is the
        // same — a new LatestStreamArn, its one shard under the same fixed id, sequence numbers
        // started again, and the changes before it was read are in no stream it has read.
        try await client.deleteTable(table)
        _ = try await client.createTable(table, stream: Self.both)
        try await client.putItem(table: table, item: ["LockID": .string(a), "Info": .string(Self.record(Self.lockID(1), a))])
        let described = try await client.describeTable(table)
        #expect(described.readableStreamARN != first.streamARN)
        _ = try await client.deleteItem(table: table, key: ["LockID": .string(a)])
        try await client.putItem(table: table, item: ["LockID": .string(b), "Info": .string(Self.record(Self.lockID(2), b))])
        try await client.putItem(table: table, item: ["LockID": .string(c), "Info": .string(Self.record(Self.lockID(3), c))])

        var resync = try await cycle()
        while resync.mode != .reconcile { resync = try await cycle() }
        #expect(resync.gapRecorded)
        let second = try #require(try await db.pool.withConnection { try SourceStore.stream(of: source.name, on: $0) })
        #expect(second.streamARN == described.readableStreamARN)

        // The new stream goes on, its sequence numbers started again, under its own ARN.
        _ = try await client.deleteItem(table: table, key: ["LockID": .string(c)])
        let after = try await cycle()
        #expect(after.mode == .stream && after.appended == 1)

        let events = try await Self.events(db)
        let gap = try #require(events.first { $0.kind == .coverageGap })
        #expect(gap.details["reason"]?.stringValue?.hasPrefix("stream not resumable: the table's stream was replaced") == true)
        #expect(gap.details["resynchronised_by"] == "scan")
        guard case .between(let from?, _) = gap.time else { Issue.record("gap without a start"); return }
        #expect(from == first.readThrough || from > first.readThrough)
        let releasedA = try #require(events.first { $0.kind == .lockReleased && $0.lockID == Self.lockID(1) })
        #expect(releasedA.key.hasPrefix("ddb|"))  // found by the resynchronising scan
        #expect(events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID).sorted() == [Self.lockID(1), Self.lockID(2), Self.lockID(3)])
        let releasedC = try #require(events.first { $0.kind == .lockReleased && $0.lockID == Self.lockID(3) })
        #expect(releasedC.key.hasPrefix("ddbs|\(second.streamARN)|"))
        #expect(releasedC.time.precision == "second")

        _ = try await db.store.derivation.catchUp()
        let current = try await db.store.answers.current(state: nil, cursor: nil, limit: 10, now: Self.now())
        #expect(current.items.map { $0["lock_id"] } == [.string(Self.lockID(2))])
        #expect(try await db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }

    @Test("an expired iterator is renewed after the last record read (no gap); trimmed records are a gap the scan resynchronises")
    func expiredAndTrimmed() async throws {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table, stream: Self.both)
        let proxy = try await CollectorFaultTests.Proxy()
        defer { proxy.stop() }
        var environment = TestAWS.environment
        environment["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = proxy.url
        let (_, credentials, transport) = try TestAWS.clients()
        let streams = try DynamoDBStreamsClient(
            configuration: try AWSConfiguration.resolve(environment: environment), credentials: credentials,
            transport: transport, retryPolicy: RetryPolicy(maxAttempts: 2))
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        let source = DynamoDBLockTableSource(
            table: table, region: "us-east-1", client: client,
            stream: DynamoDBStreamSettings(client: streams, pollInterval: 0))
        func cycle() async throws -> CycleReport { try await source.runCycle(store: store, now: Self.now, logger: Logger(label: "test")) }
        let (x, a, b) = ("bucket/x.tfstate", "bucket/a.tfstate", "bucket/b.tfstate")
        try await client.putItem(table: table, item: ["LockID": .string(x), "Info": .string(Self.record(Self.lockID(1), x))])
        #expect(try await cycle().mode == .reconcile)  // attach: x is in the scan, its record passed over

        try await client.putItem(table: table, item: ["LockID": .string(a), "Info": .string(Self.record(Self.lockID(2), a))])
        try proxy.set("expire 1")
        let renewed = try await cycle()
        #expect(proxy.throttled == 1)
        #expect(renewed.mode == .stream && renewed.streamRecords == 1 && renewed.appended == 1 && !renewed.gapRecorded)

        try proxy.set("trim 1")
        try await client.putItem(table: table, item: ["LockID": .string(b), "Info": .string(Self.record(Self.lockID(3), b))])
        #expect(try await cycle().appended == 0)  // the read failed: nothing recorded, a reconciliation is due
        let resync = try await cycle()
        #expect(resync.mode == .reconcile && resync.gapRecorded)

        let events = try await Self.events(db)
        let acquired = events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID)
        #expect(acquired.sorted() == [Self.lockID(1), Self.lockID(2), Self.lockID(3)])  // each once
        let gap = try #require(events.first { $0.kind == .coverageGap })
        #expect(gap.details["reason"]?.stringValue?.contains("TrimmedDataAccessException") == true)
        #expect(events.first { $0.lockID == Self.lockID(3) }?.key.hasPrefix("ddb|") == true)  // found by the resynchronising scan
        _ = try await db.store.derivation.catchUp()
        let current = try await db.store.answers.current(state: nil, cursor: nil, limit: 10, now: Self.now())
        #expect(Set(current.items.compactMap { $0["lock_id"]?.stringValue }) == [Self.lockID(1), Self.lockID(2), Self.lockID(3)])
    }

    @Test("a stream of another view, or none: said so, and the table is scanned every interval")
    func otherView() async throws {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table, stream: DynamoDBStreamSpecification(enabled: true, viewType: .keysOnly))
        let db = try await TestDatabase.make()
        let source = DynamoDBLockTableSource(
            table: table, region: "us-east-1", client: client,
            stream: DynamoDBStreamSettings(client: try Self.streams()))
        try await client.putItem(
            table: table, item: ["LockID": .string("bucket/x.tfstate"), "Info": .string(Self.record(Self.lockID(9), "bucket/x.tfstate"))])
        let report = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
        #expect(report.mode == .scan && report.appended == 1)
        #expect(report.scanReason?.contains("KEYS_ONLY, not NEW_AND_OLD_IMAGES") == true)
        #expect(report.nextCycleIn == nil)
        #expect(try await db.pool.withConnection { try SourceStore.stream(of: source.name, on: $0) } == nil)
    }
}
