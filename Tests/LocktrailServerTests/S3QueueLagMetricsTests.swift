import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailStore
import LocktrailTestSupport
import Testing

/// The push lag of a bucket fed by an SQS queue, end to end: real S3 notifications from the
/// emulator to a real queue, a real `collect` and `serve` on a real PostgreSQL, `/metrics` parsed by
/// `prometheus_client` and promtool, and `locktrail sources`. No timed assertion is tighter than the
/// listener's long poll plus a loaded machine's slack.
@Suite("S3 queue push lag", .serialized)
struct S3QueueLagMetricsTests {
    /// The most a caught-up, polling listener's lag may read: one long poll (half the 15 s lease) and generous slack.
    static let caughtUpBound = 45.0

    static func lockBody(_ id: String, _ path: String) -> [UInt8] {
        Array(
            #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"alice@h","Version":"1.11.4","Created":"2026-12-01T10:00:00.5Z","Path":"\#(path)"}"#
                .utf8)
    }

    /// Takes and releases a lock file (two notifications); returns its lock ID.
    static func lockCycle(_ s3: S3Client, bucket: String, state: String) async throws -> String {
        let id = UUID().uuidString.lowercased()
        try await s3.putObject(bucket: bucket, key: state + ".tflock", body: lockBody(id, "\(bucket)/\(state)"), ifNoneMatch: "*")
        try await s3.deleteObject(bucket: bucket, key: state + ".tflock")
        return id
    }

    static func released(_ ids: Set<String>, db: TestDatabase, within seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let events = try await db.store.events.list(after: 0, limit: 10_000).map(\.event)
            if ids.isSubset(of: Set(events.filter { $0.kind == .lockReleased }.compactMap(\.lockID))) { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    static func sources(_ environment: [String: String], in directory: URL) async throws -> [JSONValue] {
        let listed = try Spawned([LocktrailBinary.path, "sources", "--format", "json"], environment: environment, directory: directory)
        let status = await listed.wait()
        try #require(status == 0, "\(listed.output)")
        return try JSONParser.parse(listed.output).arrayValue ?? []
    }

    @Test("lag small while the listener keeps up (idle queue included), growing while it is stopped and messages wait, small again after")
    func lagFollowsTheListener() async throws {
        let bucket = TestAWS.uniqueName("qlag")
        try await TestAWS.createBucket(bucket, versioned: true)
        let (queue, _) = try await TestAWS.createQueueWithDeadLetters(TestAWS.uniqueName("qlag"), maxReceiveCount: 5)
        try await TestAWS.notifyQueue(bucket: bucket, queueURL: queue)
        let s3 = try TestAWS.s3()
        let db = try await TestDatabase.make()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lt-qlag-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        let source = "s3:\(bucket)"
        let collect = [LocktrailBinary.path, "collect", "--s3-bucket", bucket, "--s3-queue", queue, "--interval", "60s"]

        let token = try Spawned(
            [LocktrailBinary.path, "token", "create", "--scope", "metrics", "--name", "prometheus"], environment: environment, directory: directory)
        #expect(await token.wait() == 0, "\(token.output)")
        let secret = try #require(token.output.split(separator: "\n").last.map(String.init))
        let port = TCP.freePort()
        let serve = try Spawned([LocktrailBinary.path, "serve", "--listen", "127.0.0.1:\(port)"], environment: environment, directory: directory)
        defer { serve.signal(SIGTERM) }
        #expect(TCP.waitForListener(port: port))
        let url = "http://127.0.0.1:\(port)/metrics"
        func lag() async throws -> (value: Double?, scrape: MetricsTerraformTests.Scrape) {
            let scrape = try await MetricsTerraformTests.scrape(url, token: secret, in: directory)
            return (scrape.value("locktrail_source_push_lag_seconds", ["source": source]), scrape)
        }

        var collector = try Spawned(collect, environment: environment, directory: directory)
        defer { collector.signal(SIGKILL) }
        let before = Date()
        var ids: Set<String> = []
        for n in 0..<3 { ids.insert(try await Self.lockCycle(s3, bucket: bucket, state: "app\(n)/terraform.tfstate")) }
        #expect(try await Self.released(ids, db: db, within: 60), "\(collector.output.suffix(3000))")

        // Processed: the lag is the age of a recent read, and the source's last success is now.
        let first = try await lag()
        let caughtUp = try #require(first.value, "no push lag for \(source): \(first.scrape.text)")
        #expect(caughtUp >= 0 && caughtUp < Self.caughtUpBound, "\(first.scrape.text)")
        let last = try #require(first.scrape.value("locktrail_source_last_success_timestamp_seconds", ["source": source]))
        #expect(abs(Date().timeIntervalSince1970 - last) < 120, "\(first.scrape.text)")
        let row = try #require(try await Self.sources(environment, in: directory).first { $0["source"]?.stringValue == source })
        #expect(row["push"]?["via"]?.stringValue == "queue", "\(row)")
        #expect(row["push"]?["queue"]?.stringValue == queue, "\(row)")
        #expect((row["lag_seconds"]?.numberValue ?? .infinity) < Self.caughtUpBound, "\(row)")
        let sent = try #require(row["push"]?["newest_message_sent_at"]?.stringValue.flatMap(Timestamp.init(parsing:)), "\(row)")
        #expect(sent.secondsSinceEpoch > before.timeIntervalSince1970 - 5, "the newest message read was sent by this test: \(row)")

        // Idle: nothing arrives, the listener keeps polling (a long poll of 7 s, half the lease): the
        // lag stays small, well under the age of the last message.
        let quiet = Date()
        try await Task.sleep(for: .seconds(25))
        let idle = try #require(try await lag().value)
        #expect(idle < Date().timeIntervalSince(quiet) - 5, "an idle queue whose listener polls is caught up: \(idle)")

        // The listener stops; notifications wait in the queue: the lag grows with the time since its last receive.
        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0, "\(collector.output.suffix(3000))")
        let stopped = Date()
        var waiting: Set<String> = []
        for n in 0..<2 { waiting.insert(try await Self.lockCycle(s3, bucket: bucket, state: "late\(n)/terraform.tfstate")) }
        #expect(try await TestAWS.queueDepth(queue) > 0)
        let growing = try #require(try await lag().value)
        try await Task.sleep(for: .seconds(2))
        let asked = Date()
        let grown = try #require(try await lag().value)
        #expect(grown >= growing + 1.5, "the lag grows while nobody reads: \(growing) then \(grown)")
        // Its last read was before it stopped, and the scrape was answered after `asked` (0.5 s for the two clocks' reading).
        #expect(grown >= asked.timeIntervalSince(stopped) - 0.5, "at least the time since the listener stopped: \(grown)")
        let listedAt = Date()
        let queueRow = try #require(try await Self.sources(environment, in: directory).first { $0["source"]?.stringValue == "queue:" + queue })
        #expect((queueRow["lag_seconds"]?.numberValue ?? 0) >= listedAt.timeIntervalSince(stopped) - 0.5, "\(queueRow)")

        // Started again: it reads what waited, and the lag is small again.
        collector = try Spawned(collect, environment: environment, directory: directory)
        #expect(try await Self.released(waiting, db: db, within: 60), "\(collector.output.suffix(3000))")
        var recovered = Double.infinity
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            recovered = try await lag().value ?? .infinity
            if recovered < Self.caughtUpBound / 3 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(recovered < Self.caughtUpBound / 3, "caught up again: \(recovered)")
        print("queue push lag seconds: processed \(caughtUp), idle \(idle), stopped \(grown), recovered \(recovered)")
        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0, "\(collector.output.suffix(3000))")
    }
}
