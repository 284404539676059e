import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Two `locktrail collect` processes with the same bucket and queue against one database: only the
/// holder of the queue's lease reads the queue; killed, the other takes the queue over within the
/// bound, and every hold is recorded once.
@Suite("S3 queue replicas", .serialized)
struct S3QueueReplicaTests {
    @Test("two collectors on one queue: one owner reads it; SIGKILLed, the other takes over within the bound; every hold recorded once")
    func takeover() async throws {
        let bucket = TestAWS.uniqueName("qlease")
        try await TestAWS.createBucket(bucket, versioned: true)
        // A short visibility timeout: what the killed owner received comes back to the new one quickly.
        let (queue, _) = try await TestAWS.createQueueWithDeadLetters(TestAWS.uniqueName("qlease"), maxReceiveCount: 10, visibilityTimeout: 1)
        try await TestAWS.notifyQueue(bucket: bucket, queueURL: queue)
        let s3 = try TestAWS.s3()
        let db = try await TestDatabase.make()
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        let replicas = CollectorReplicaTests.Replicas(
            arguments: [
                "collect", "--s3-bucket", bucket, "--s3-queue", queue, "--interval", "60s",
                "--lease-duration", "\(CollectorReplicaTests.leaseSeconds)s",
            ], environment: environment)
        let lease = "queue:" + queue
        let a = try replicas.start(), b = try replicas.start()
        defer { Task { await replicas.stopAll() } }
        let first = try await CollectorReplicaTests.waitForOwner(db, lease, above: 0).owner
        let (owner, other) = first.pid == Int(a.pid) ? (a, b) : (b, a)
        #expect(first.pid == Int(owner.pid))

        var truth: [String] = []
        func lockCycle(_ n: Int) async throws {
            let state = "app\(n)/terraform.tfstate"
            let id = UUID().uuidString.lowercased()
            try await s3.putObject(
                bucket: bucket, key: state + ".tflock", body: S3PushCollectorTests.lockBody(id, "\(bucket)/\(state)"), ifNoneMatch: "*")
            try await s3.deleteObject(bucket: bucket, key: state + ".tflock")
            truth.append(id)
        }
        func recorded(_ ids: [String], within seconds: Double) async throws -> [Event] {
            let deadline = Date().addingTimeInterval(seconds)
            var events: [Event] = []
            while Date() < deadline {
                events = try await db.store.events.list(after: 0, limit: 10_000).map(\.event)
                let taken = Set(events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID))
                let gone = Set(events.filter { $0.kind == .lockReleased }.compactMap(\.lockID))
                if taken.isSuperset(of: ids) && gone.isSuperset(of: ids) { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            return events
        }

        for n in 0..<3 { try await lockCycle(n) }
        _ = try await recorded(truth, within: 15)
        // Only the owner read the queue and committed push cycles.
        #expect(owner.output.contains("push cycle committed"), "\(owner.output.suffix(2000))")
        #expect(!other.output.contains("push cycle committed"), "\(other.output.suffix(2000))")

        // More notifications on their way; the owner is killed while they arrive.
        for n in 3..<6 { try await lockCycle(n) }
        owner.signal(SIGKILL)
        let next = try await CollectorReplicaTests.waitForOwner(db, lease, above: first.token)
        #expect(next.owner.pid == Int(other.pid))
        #expect(next.seconds <= 2 * CollectorReplicaTests.leaseSeconds, "takeover took \(next.seconds) s")
        for n in 6..<8 { try await lockCycle(n) }
        let events = try await recorded(truth, within: 20)

        // `locktrail sources` names the queue's owner.
        let listed = try Spawned([LocktrailBinary.path, "sources", "--format", "json"], environment: environment, directory: replicas.directory)
        #expect(await listed.wait() == 0, "\(listed.output)")
        let row = try #require(try JSONParser.parse(listed.output).arrayValue?.first { $0["source"]?.stringValue == lease }, "\(listed.output)")
        #expect(row["kind"]?.stringValue == "queue")
        #expect(row["owner"]?["pid"]?.numberValue.map(Int.init) == Int(other.pid), "\(listed.output)")
        await replicas.stopAll()

        let acquired = events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID)
        let released = events.filter { $0.kind == .lockReleased }.compactMap(\.lockID)
        #expect(acquired.sorted() == truth.sorted(), "every lock acquired once")
        #expect(released.sorted() == truth.sorted(), "every lock released once")
        #expect(try await db.store.events.verify().isIntact)
        print("queue takeover seconds after SIGKILL: \(String(format: "%.2f", next.seconds))")
    }
}
