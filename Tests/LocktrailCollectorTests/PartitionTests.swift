import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// A PostgreSQL server behind a network link a test can cut (Fixtures/pg_partition.sh): over
/// TCP through the link, or directly over its unix socket, which no cut touches.
struct PartitionedPostgres: Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pg_partition.sh").path
    /// The short settings of the tests: data unacknowledged for 3 s, or an idle line whose two
    /// probes a second apart go unanswered, ends the connection; a connection attempt waits 2 s.
    static let fast = "keepalives_idle=1 keepalives_interval=1 keepalives_count=2 tcp_user_timeout=3000 connect_timeout=2"
    /// A network namespace and a veth pair need root.
    static var isSupported: Bool { geteuid() == 0 }

    let directory: String
    let address: String
    let port: String
    let socket: String

    /// Through the link, with `settings` (a cut partitions these connections).
    func tcp(_ settings: String = Self.fast) -> String { "host=\(address) port=\(port) user=locktrail dbname=postgres \(settings)" }
    /// Over the unix socket: never partitioned.
    var direct: String { "host=\(socket) port=\(port) user=locktrail dbname=postgres" }

    static func start() async throws -> PartitionedPostgres {
        let directory = NSTemporaryDirectory() + "lt-partition-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fields = try await run(["start", directory]).split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 3 else { throw TerraformFailure(command: "(pg_partition.sh start)", output: fields.joined(separator: " ")) }
        return PartitionedPostgres(directory: directory, address: fields[0], port: fields[1], socket: fields[2])
    }

    /// Packets vanish both ways from now on; nothing is closed.
    func cut() async throws { try await Self.run(["cut", directory]) }
    /// Packets flow again.
    func heal() async throws { try await Self.run(["heal", directory]) }
    /// Stops the server and removes the link (from a `defer`).
    func stop() { _ = try? ChildProcessForTests.run([Self.script, "stop", directory]) }

    @discardableResult
    private static func run(_ arguments: [String]) async throws -> String {
        let process = try Spawned(
            [script] + arguments, environment: ProcessInfo.processInfo.environment, directory: URL(fileURLWithPath: NSTemporaryDirectory()))
        guard await process.wait() == 0 else {
            throw TerraformFailure(command: "(pg_partition.sh \(arguments.joined(separator: " ")))", output: process.output)
        }
        return process.output
    }
}

/// The database vanishing without closing its connections (a network partition): what libpq's
/// keepalives and `tcp_user_timeout` bound, and how the pool, the collectors and `serve` get
/// through it. Needs root for the cut; skipped otherwise.
@Suite(
    "Network partition", .serialized,
    .enabled(
        if: PartitionedPostgres.isSupported,
        "needs root (CAP_NET_ADMIN) to put PostgreSQL in a network namespace of its own; scripts/test says so when it skips, CI runs as root"))
struct PartitionTests {
    static func seconds(since start: Date) -> Double { Date().timeIntervalSince(start) }
    static func format(_ seconds: Double?) -> String { seconds.map { String(format: "%.2f", $0) } ?? "-" }

    /// The server's side of one session through the link: its keepalive idle and user timeout.
    static func serverSettings(_ pool: PostgresPool) async throws -> [String] {
        try await pool.withConnection { connection in
            let result = try connection.query("SELECT current_setting('tcp_keepalives_idle'), current_setting('tcp_user_timeout')")
            return [result.string(0, 0) ?? "", result.string(0, 1) ?? ""]
        }
    }

    @Test(
        "partitioned mid-query and idle: libpq gives up within seconds, the server frees the dead session's row lock, new connections fail fast, and the pool reconnects once healed"
    )
    func pool() async throws {
        let server = try await PartitionedPostgres.start()
        defer { server.stop() }
        // The server's side gets the client's settings; with none in the string, locktrail's defaults.
        let defaults = PostgresPool(conninfo: server.tcp(""), maxConnections: 1)
        // (as the server shows them: seconds, and milliseconds)
        #expect(try await Self.serverSettings(defaults) == ["10", "15000"])
        await defaults.close()
        let own = PostgresPool(conninfo: server.tcp("keepalives_idle=7 tcp_user_timeout=4000"), maxConnections: 1)
        #expect(try await Self.serverSettings(own) == ["7", "4000"], "the string's own settings win")
        await own.close()

        let direct = PostgresPool(conninfo: server.direct, maxConnections: 2)
        try await direct.withConnection { try $0.execute("CREATE TABLE held (id int PRIMARY KEY, n int); INSERT INTO held VALUES (1, 0), (2, 0)") }
        let waiting = PostgresPool(conninfo: server.tcp(), maxConnections: 1)
        let idle = PostgresPool(conninfo: server.tcp(), maxConnections: 1)
        let locker = PostgresPool(conninfo: server.tcp(), maxConnections: 1)
        #expect(try await Self.serverSettings(idle) == ["1", "3000"])
        // A session in the middle of a transaction holding a row lock, as a collector's commit
        // holds its lease row.
        try await locker.withConnection { try $0.execute("BEGIN; SELECT n FROM held WHERE id = 1 FOR UPDATE") }
        // The control: a session whose string keeps the server's side at the system's settings
        // (keepalives after 2 hours) holds its row lock through the partition.
        let control = PostgresPool(conninfo: server.tcp() + " options='-c tcp_keepalives_idle=0 -c tcp_user_timeout=0'", maxConnections: 1)
        try await control.withConnection { try $0.execute("BEGIN; SELECT n FROM held WHERE id = 2 FOR UPDATE") }
        // A query sent and acknowledged whose answer the partition will swallow.
        let started = Date()
        let query = Task { () -> (error: String?, at: Date) in
            do {
                try await waiting.withConnection { try $0.execute("SELECT pg_sleep(20)") }
                return (nil, Date())
            } catch { return ("\(error)", Date()) }
        }
        try await Task.sleep(for: .milliseconds(500))

        try await server.cut()
        let cut = Date()
        // The row lock of the vanished session: the server ends that session itself.
        let update = Task { () -> Double? in
            do {
                try await direct.withConnection { connection in
                    try connection.execute("SET lock_timeout = '20s'")
                    try connection.execute("UPDATE held SET n = n + 1 WHERE id = 1")
                }
                return Self.seconds(since: cut)
            } catch { return nil }
        }
        let stillHeld = Task { () -> Bool in
            do {
                try await direct.withConnection { connection in
                    try connection.execute("SET lock_timeout = '6s'")
                    try connection.execute("UPDATE held SET n = n + 1 WHERE id = 2")
                }
                return false
            } catch { return (error as? PostgresError)?.sqlState == "55P03" }  // lock_not_available
        }
        let answer = await query.value
        let queryFailed = answer.at.timeIntervalSince(cut)
        #expect(answer.error != nil, "the answer cannot have come")
        #expect(queryFailed < 10 && answer.at.timeIntervalSince(started) < 15, "a query awaiting its answer gave up after \(queryFailed) s")
        // A new connection meets the silent host: connect_timeout.
        let fresh = PostgresPool(conninfo: server.tcp(), maxConnections: 1)
        let connecting = Date()
        await #expect(throws: PostgresError.self) { try await fresh.withConnection { try $0.execute("SELECT 1") } }
        let connectFailed = Self.seconds(since: connecting)
        #expect(connectFailed < 10)
        let unlocked = await update.value
        #expect(unlocked != nil && unlocked! < 15, "the dead session's row lock was freed after \(Self.format(unlocked)) s")
        #expect(await stillHeld.value, "the control's row lock outlived the partition's first 6 s")
        // Long enough for the keepalives to find the idle connection dead too.
        while Self.seconds(since: cut) < 5 { try await Task.sleep(for: .milliseconds(100)) }

        try await server.heal()
        let healed = Date()
        // Each pool's first call after the heal works: dead connections are dropped, not lent.
        for pool in [waiting, idle, fresh, locker] {
            let value = try await pool.withConnection { try $0.query("SELECT 1").string(0, 0) }
            #expect(value == "1")
        }
        let recovered = Self.seconds(since: healed)
        #expect(try await direct.withConnection { try $0.query("SELECT n FROM held WHERE id = 1").string(0, 0) } == "1")
        for pool in [waiting, idle, fresh, locker, control, direct] { await pool.close() }
        print(
            "partition (keepalives_idle=1 interval=1 count=2 tcp_user_timeout=3000 connect_timeout=2): a query awaiting its answer failed \(Self.format(queryFailed)) s after the cut; a new connection failed after \(Self.format(connectFailed)) s; the dead session's row lock was freed \(Self.format(unlocked)) s after the cut; healed, every pool answered within \(Self.format(recovered)) s"
        )
    }
}

extension PartitionTests {
    /// The owner of `source` once its token is above `token`, and the seconds waited.
    static func waitForOwner(
        _ store: Store, _ source: String, above token: UInt64, timeout: Double = 30
    ) async throws
        -> (owner: SourceOverview.Owner, seconds: Double)
    {
        let started = Date()
        while seconds(since: started) < timeout {
            if let owner = try await store.sources.list().first(where: { $0.source == source })?.owner, owner.token > token {
                return (owner, seconds(since: started))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TerraformFailure(command: "(waiting for an owner of \(source) past token \(token))", output: "none within \(timeout) s")
    }

    /// Seconds until `process` has printed `text` (nil: not within `timeout`).
    static func waitForOutput(_ process: Spawned, _ text: String, from start: Date, timeout: Double = 20) async throws -> Double? {
        while seconds(since: start) < timeout {
            if process.output.contains(text) { return seconds(since: start) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test(
        "a collector partitioned from its database mid-cycle: it gives up within seconds, a replica connected directly takes over within the lease bound, the late commit is refused, every lock of real terraform runs is recorded once, and healed it carries on as a follower"
    )
    func collector() async throws {
        let server = try await PartitionedPostgres.start()
        defer { server.stop() }
        let table = TestAWS.uniqueName("locks"), bucket = TestAWS.uniqueName("state")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        try await TestAWS.createBucket(bucket)
        let projects = try (0..<2).map { try TerraformProject(bucket: bucket, key: "app\($0)/terraform.tfstate", dynamoDBTable: table) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for project in projects { group.addTask { try await project.initialize() } }
            try await group.waitForAll()
        }
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = server.direct
        let migrate = try Spawned([LocktrailBinary.path, "migrate"], environment: environment, directory: URL(fileURLWithPath: server.directory))
        #expect(await migrate.wait() == 0, "\(migrate.output)")
        let pool = PostgresPool(conninfo: server.direct, maxConnections: 2)
        let store = Store(pool: pool)
        // The owner reaches the database through the link and AWS through the scan-holding proxy;
        // the other replica reaches both directly.
        let proxy = try await CollectorFaultTests.Proxy()
        defer { proxy.stop() }
        var partitioned = environment
        partitioned["DATABASE_URL"] = server.tcp()
        partitioned["AWS_ENDPOINT_URL"] = proxy.url
        let lease = CollectorReplicaTests.leaseSeconds
        let arguments = ["collect", "--dynamodb-table", table, "--interval", "0.5s", "--lease-duration", "\(lease)s"]
        let source = "dynamodb:us-east-1/\(table)"
        let far = CollectorReplicaTests.Replicas(arguments: arguments, environment: partitioned)
        let near = CollectorReplicaTests.Replicas(arguments: arguments, environment: environment)
        defer {
            Task {
                await far.stopAll(); await near.stopAll()
            }
        }
        let owner = try far.start()
        let first = try await Self.waitForOwner(store, source, above: 0).owner
        #expect(first.pid == Int(owner.pid))
        let follower = try near.start()

        // Each project applies twice, holding its lock 3 s: before, during and after the partition.
        let applies = CollectorReplicaTests.applyTwice(projects, client: client, table: table, bucket: bucket, hold: 3)
        _ = try await CollectorReplicaTests.waitForLock(client, table: table, path: "\(bucket)/\(projects[0].key)")

        // Mid-cycle: the owner's next scan is held at the proxy; then its database vanishes.
        try proxy.set("hold")
        let held = proxy.control.appendingPathExtension("held")
        let holding = Date().addingTimeInterval(10)
        while (try? String(contentsOf: held, encoding: .utf8)) == nil, Date() < holding { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!owner.output.contains("lease renewal failed"))
        try await server.cut()
        let cut = Date()
        // Both watched at once: when the owner's database call fails, and when the other takes over.
        var gaveUp: Double?, takeover: (owner: SourceOverview.Owner, seconds: Double)?
        while gaveUp == nil || takeover == nil, Self.seconds(since: cut) < 30 {
            if gaveUp == nil, owner.output.contains("lease renewal failed") { gaveUp = Self.seconds(since: cut) }
            if takeover == nil, let now = try await store.sources.list().first(where: { $0.source == source })?.owner, now.token > first.token {
                takeover = (now, Self.seconds(since: cut))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let takenOver = try #require(takeover?.seconds, "no takeover: \(owner.output.suffix(2000))")
        let newOwner = try #require(takeover?.owner)
        #expect(newOwner.pid == Int(follower.pid))
        #expect(gaveUp != nil && gaveUp! < 10, "the owner gave up on its database after \(Self.format(gaveUp)) s: \(owner.output.suffix(2000))")
        #expect(takenOver <= 2 * lease, "takeover \(takenOver) s after the cut")
        // Let the partition last beyond the keepalives, then heal it and let the held scan go:
        // the owner's late commit reaches the database and is refused.
        while Self.seconds(since: cut) < 5 { try await Task.sleep(for: .milliseconds(100)) }
        try await server.heal()
        let healed = Date()
        try proxy.set("")
        let refused = try await Self.waitForOutput(owner, "this cycle was discarded", from: healed)
        #expect(refused != nil, "\(owner.output.suffix(3000))")
        #expect(owner.output.contains("was taken over by"), "the refusal names the new owner")

        let truth = try await applies.value
        #expect(truth.count == 4 && Set(truth).count == 4)
        let deadline = Date().addingTimeInterval(30)
        var events: [Event] = []
        while Date() < deadline {
            events = try await store.events.list(after: 0, limit: 10_000).map(\.event)
            if Set(events.filter { $0.kind == .lockReleased }.compactMap(\.lockID)).isSuperset(of: truth) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        // The follower it became is alive and stops cleanly; the new owner kept the source.
        #expect(try await store.sources.list().first { $0.source == source }?.owner?.token == newOwner.token)
        owner.signal(SIGTERM)
        #expect(await owner.wait() == 0, "\(owner.output.suffix(2000))")
        await far.stopAll()
        await near.stopAll()

        let acquired = events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID)
        let released = events.filter { $0.kind == .lockReleased }.compactMap(\.lockID)
        #expect(acquired.sorted() == truth.sorted(), "every lock acquired once")
        #expect(released.sorted() == truth.sorted(), "every lock released once")
        #expect(try await store.events.verify().isIntact)
        await pool.close()
        print(
            "partition (collector, lease \(lease) s): the owner's lease renewal failed \(Self.format(gaveUp)) s after the cut; the direct replica took over \(Self.format(takenOver)) s after it; healed, the late commit was refused after \(Self.format(refused)) s"
        )
    }

    @Test("serve partitioned from its database: /readyz and queries fail within seconds and answer again once healed")
    func serve() async throws {
        let server = try await PartitionedPostgres.start()
        defer { server.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = server.direct
        let scratch = URL(fileURLWithPath: server.directory)
        func locktrail(_ arguments: [String], _ env: [String: String]) async throws -> (status: Int32, output: String) {
            let process = try Spawned([LocktrailBinary.path] + arguments, environment: env, directory: scratch)
            return (await process.wait(), process.output)
        }
        #expect(try await locktrail(["migrate"], environment).status == 0)
        let token =
            try await locktrail(["token", "create", "--scope", "read", "--name", "probe"], environment).output
            .split(separator: "\n").last.map(String.init) ?? ""
        var partitioned = environment
        partitioned["DATABASE_URL"] = server.tcp()
        let port = TCP.freePort()
        let api = try Spawned([LocktrailBinary.path, "serve", "--listen", "127.0.0.1:\(port)"], environment: partitioned, directory: scratch)
        defer { api.signal(SIGKILL) }
        #expect(TCP.waitForListener(port: port, timeout: 30), "\(api.output)")
        /// The status of GET `path` and the seconds it took.
        func get(_ path: String) async throws -> (status: String, seconds: Double) {
            let started = Date()
            let curl = try Spawned(
                [
                    "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "60", "-H", "Authorization: Bearer \(token)",
                    "http://127.0.0.1:\(port)\(path)",
                ],
                environment: environment, directory: scratch)
            _ = await curl.wait()
            return (curl.output, Self.seconds(since: started))
        }
        #expect(try await get("/readyz").status == "200")
        #expect(try await get("/v1/current").status == "200")

        try await server.cut()
        let cut = Date()
        let firstReady = try await get("/readyz")
        let query = try await get("/v1/current")
        let secondReady = try await get("/readyz")
        #expect(firstReady.status == "503" && firstReady.seconds < 10, "\(firstReady)")
        #expect(query.status == "503" && query.seconds < 10, "\(query)")
        #expect(secondReady.status == "503" && secondReady.seconds < 10, "\(secondReady)")
        while Self.seconds(since: cut) < 5 { try await Task.sleep(for: .milliseconds(100)) }

        try await server.heal()
        let healed = Date()
        var readyAgain: Double?
        while Self.seconds(since: healed) < 30 {
            if try await get("/readyz").status == "200" { readyAgain = Self.seconds(since: healed); break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(readyAgain != nil, "\(api.output.suffix(2000))")
        #expect(try await get("/v1/current").status == "200")
        print(
            "partition (serve): /readyz answered 503 after \(Self.format(firstReady.seconds)) s (then \(Self.format(secondReady.seconds)) s), a query \(query.status) after \(Self.format(query.seconds)) s; healed, /readyz answered 200 after \(Self.format(readyAgain)) s"
        )
    }
}
