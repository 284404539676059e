import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// How far a queue listener records its queue read for each bucket it serves, against the emulator's
/// real queue and buckets and a real PostgreSQL: a bucket whose cycle fails on a notification is held
/// back at that notification (its lag grows) while the queue's other bucket stays caught up, until
/// the notification is received again and committed.
@Suite("S3 queue reads", .serialized)
struct S3QueueReadTests {
    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    static func overview(_ db: TestDatabase, _ source: String) async throws -> SourceOverview? {
        try await SourceStore(pool: db.pool).list().first { $0.source == source }
    }

    /// Polls until `condition` holds for the source's overview, or `seconds` pass; returns the last overview.
    static func wait(
        _ db: TestDatabase, _ source: String, within seconds: Double, until condition: (SourceOverview) -> Bool
    ) async throws -> SourceOverview? {
        let deadline = Date().addingTimeInterval(seconds)
        var last: SourceOverview?
        while Date() < deadline {
            last = try await overview(db, source)
            if let last, condition(last) { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        return last
    }

    @Test(
        "a bucket whose cycle fails on a notification is held back at it while the other bucket of the queue is caught up; committed, caught up again"
    )
    func heldBackByAFailedCycle() async throws {
        let good = TestAWS.uniqueName("qgood"), gone = TestAWS.uniqueName("qgone")
        try await TestAWS.createBucket(good, versioned: true)
        try await TestAWS.createBucket(gone, versioned: true)
        // A visibility timeout of a few seconds: the failed notification comes back while the test watches.
        let (queue, _) = try await TestAWS.createQueueWithDeadLetters(TestAWS.uniqueName("qread"), maxReceiveCount: 50, visibilityTimeout: 4)
        let s3 = try TestAWS.s3()
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        let sources = [good, gone].map { S3BucketSource(bucket: $0, prefix: nil, client: s3, queueURL: queue, reconcileInterval: 3600) }
        let listener = S3QueueListener(queueURL: queue, client: try TestAWS.sqs(), sources: sources, waitSeconds: 1)
        let task = Task { await listener.run(store: store, now: Self.now, logger: Logger(label: "test")) }
        defer { task.cancel() }
        // Both baselines (walks of the empty histories) recorded with a read of the queue.
        for bucket in [good, gone] {
            let o = try await Self.wait(db, "s3:\(bucket)", within: 30) { $0.push != nil }
            #expect(o?.push?.via == "queue" && o?.push?.queue == queue, "\(String(describing: o))")
        }

        // The bucket goes away; a notification of one of its lock files: its cycle fails.
        try await TestAWS.deleteBucket(gone)
        let key = "app/terraform.tfstate.tflock"
        try await TestAWS.sendMessage(
            queue,
            body: S3PushCollectorTests.message([S3PushCollectorTests.record(gone, key, "ObjectCreated:Put", version: "v1", principal: "AWS:AIDAX")]))
        let sent = Self.now()
        // The other bucket reads on past it; the failed one keeps receiving (its last success moves on) but is held back.
        let caughtUp = try await Self.wait(db, "s3:\(good)", within: 30) { ($0.push?.readThrough ?? sent) > sent.adding(seconds: 0.5) }
        #expect((caughtUp?.push?.readThrough ?? sent) > sent.adding(seconds: 0.5), "\(String(describing: caughtUp))")
        let held = try await Self.wait(db, "s3:\(gone)", within: 30) { ($0.lastSuccess ?? sent) > sent.adding(seconds: 0.5) }
        let heldAt = try #require(held?.push?.readThrough, "\(String(describing: held))")
        #expect(heldAt <= sent, "held back at the failed notification: \(heldAt.rfc3339), sent by \(sent.rfc3339)")
        #expect((held?.failures ?? 0) >= 1, "\(String(describing: held))")
        #expect(try await TestAWS.queueDepth(queue) == 1, "the failed notification is not deleted")

        // The bucket is back: the notification comes back after its visibility timeout, is committed, and the bucket is caught up.
        try await TestAWS.createBucket(gone, versioned: true)
        let recovered = try await Self.wait(db, "s3:\(gone)", within: 60) { ($0.push?.readThrough ?? sent) > sent }
        #expect((recovered?.push?.readThrough ?? sent) > sent, "\(String(describing: recovered))")
        var depth = try await TestAWS.queueDepth(queue)
        for _ in 0..<40 where depth > 0 {
            try await Task.sleep(for: .milliseconds(250))
            depth = try await TestAWS.queueDepth(queue)
        }
        #expect(depth == 0)
        task.cancel()
        await task.value
    }
}
