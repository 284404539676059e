import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// S3 event notifications through SQS, against the emulator's real queues and buckets and a real
/// PostgreSQL: real terraform with the collector polling only every minute, and messages put on
/// the queue by hand in the shapes AWS sends (duplicated, reordered, lost, SNS-wrapped, malformed,
/// with principals: the emulator sends none).
@Suite("S3 push through SQS", .serialized)
struct S3PushCollectorTests {
    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    static func events(_ db: TestDatabase) async throws -> [SequencedEvent] {
        let stored = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 100_000, on: $0) }
        return stored.map { SequencedEvent(seq: $0.seq, event: $0.event) }
    }

    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    @Test("ten terraform plans on a versioned bucket with notifications to a queue, collector --interval 60s: all ten holds within seconds, exact")
    func tenPlans() async throws {
        let bucket = TestAWS.uniqueName("push")
        try await TestAWS.createBucket(bucket, versioned: true)
        let (queue, _) = try await TestAWS.createQueueWithDeadLetters(TestAWS.uniqueName("events"), maxReceiveCount: 5)
        try await TestAWS.notifyQueue(bucket: bucket, queueURL: queue)
        let project = try TerraformProject(bucket: bucket, dynamoDBTable: nil, useLockfile: true)
        try await project.initialize()
        let db = try await TestDatabase.make()
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        let collector = try Spawned(
            [LocktrailBinary.path, "collect", "--s3-bucket", bucket, "--s3-queue", queue, "--interval", "60s"],
            environment: environment, directory: URL(fileURLWithPath: NSTemporaryDirectory()))
        defer { collector.signal(SIGKILL) }
        for _ in 0..<10 {
            let plan = try await project.run(["plan", "-no-color", "-input=false"])
            #expect(plan.status == 0, "\(plan.output)")
        }
        let finished = Date()
        var events: [Event] = []
        while Date().timeIntervalSince(finished) < 30 {
            events = try await Self.events(db).map(\.event)
            // (terraform init's own lock, taken before the collector started, is among them.)
            let taken = Set(events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID))
            let gone = Set(events.filter { $0.kind == .lockReleased }.compactMap(\.lockID))
            if taken.count >= 10 && taken.isSubset(of: gone) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let waited = Date().timeIntervalSince(finished)
        #expect(waited < 15, "the holds took \(waited) s to be recorded; the collector polls only every 60 s")
        let acquired = events.filter { $0.kind == .lockAcquired && $0.details["operation"] == "OperationTypePlan" }
        let released = events.filter { $0.kind == .lockReleased && $0.details["operation"] == "OperationTypePlan" }
        #expect(acquired.count == 10)
        #expect(released.count == 10)
        #expect(Set(released.compactMap(\.lockID)) == Set(acquired.compactMap(\.lockID)))
        #expect(events.filter { $0.kind == .lockReleased }.count == events.filter { $0.kind == .lockAcquired }.count)
        // Exact: each event at its version's or delete marker's LastModified.
        let s3 = try TestAWS.s3()
        var listed: [S3VersionEntry] = []
        for try await page in s3.listAllVersions(bucket: bucket) { listed += page.entries }
        for entry in listed where entry.key.hasSuffix(".tflock") {
            let e = try #require(
                events.first { $0.details["version_id"]?.stringValue == entry.versionId && [.lockAcquired, .lockReleased].contains($0.kind) })
            #expect(e.time == .exact(Self.timestamp(entry.lastModified)))
        }
        // Every handled message was deleted once its events were committed.
        var depth = try await TestAWS.queueDepth(queue)
        for _ in 0..<20 where depth > 0 {
            try await Task.sleep(for: .milliseconds(250))
            depth = try await TestAWS.queueDepth(queue)
        }
        #expect(depth == 0)
        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0, "\(collector.output)")
        let holds = try await db.store.answers.history(state: nil, who: nil, since: nil, until: nil, cursor: nil, limit: 100)
        #expect(holds.items.filter { $0["operation"] == "OperationTypePlan" && $0["release_kind"] == "released" }.count == 10)
    }

    /// A notification record as S3 sends it (URL-encoded key, principal, source IP).
    static func record(
        _ bucket: String, _ key: String, _ name: String, version: String, principal: String, time: String = "2026-12-01T10:00:00.000Z"
    ) -> String {
        let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.*"))) ?? key
        return
            #"{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"\#(time)","eventName":"\#(name)","userIdentity":{"principalId":"\#(principal)"},"requestParameters":{"sourceIPAddress":"203.0.113.7"},"s3":{"s3SchemaVersion":"1.0","bucket":{"name":"\#(bucket)"},"object":{"key":"\#(encoded)","versionId":"\#(version)","sequencer":"0055AED6DCD90281E5"}}}"#
    }

    static func message(_ records: [String]) -> String { #"{"Records":["# + records.joined(separator: ",") + "]}" }

    static func sns(_ inner: String) throws -> String {
        String(
            decoding: try JSONSerialization.data(withJSONObject: [
                "Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": inner,
            ]), as: UTF8.self)
    }

    static func lockBody(_ id: String, _ path: String) -> [UInt8] {
        Array(
            #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"alice@h","Version":"1.11.4","Created":"2026-12-01T10:00:00.5Z","Path":"\#(path)"}"#
                .utf8)
    }

    @Test("duplicated, reordered, lost, SNS-wrapped and malformed messages; principals as AWS sends them: removed by another principal is forced")
    func messages() async throws {
        let bucket = TestAWS.uniqueName("hand")
        try await TestAWS.createBucket(bucket, versioned: true)
        let (queue, deadLetters) = try await TestAWS.createQueueWithDeadLetters(TestAWS.uniqueName("hand"), maxReceiveCount: 2, visibilityTimeout: 1)
        let s3 = try TestAWS.s3()
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        let source = S3BucketSource(bucket: bucket, prefix: nil, client: s3, queueURL: queue, reconcileInterval: 3600)
        let listener = S3QueueListener(queueURL: queue, client: try TestAWS.sqs(), sources: [source], waitSeconds: 1)
        // The first pass walks the (empty) history: the source's baseline.
        _ = try await listener.drain(store: store, now: Self.now, logger: Logger(label: "test"))

        let one = "env:/dev/app one/terraform.tfstate"  // a key that needs URL-encoding
        let two = "net/terraform.tfstate"
        let ids = ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"]
        func lockCycle(_ state: String, _ id: String) async throws -> (String, String) {
            let version =
                try await s3.putObject(
                    bucket: bucket, key: state + ".tflock", body: Self.lockBody(id, "\(bucket)/\(state)"),
                    ifNoneMatch: "*"
                ).versionId ?? ""
            let marker = try await s3.deleteObject(bucket: bucket, key: state + ".tflock") ?? ""
            return (version, marker)
        }
        let (v1, m1) = try await lockCycle(one, ids[0])
        let (v2, m2) = try await lockCycle(one, ids[1])
        let (v3, m3) = try await lockCycle(two, ids[2])
        let alice = "AWS:AROAALICEROLE:terraform-1"
        // Reordered (the removal first), duplicated, the same role under a refreshed session.
        try await TestAWS.sendMessage(
            queue,
            body: Self.message([
                Self.record(
                    bucket, one + ".tflock", "ObjectRemoved:DeleteMarkerCreated", version: m1, principal: "AWS:AROAALICEROLE:terraform-1-refreshed")
            ]))
        try await TestAWS.sendMessage(
            queue, body: try Self.sns(Self.message([Self.record(bucket, one + ".tflock", "ObjectCreated:Put", version: v1, principal: alice)])))
        try await TestAWS.sendMessage(
            queue,
            body: Self.message([
                Self.record(
                    bucket, one + ".tflock", "ObjectRemoved:DeleteMarkerCreated", version: m1, principal: "AWS:AROAALICEROLE:terraform-1-refreshed")
            ]))
        // Lost: v2's removal (m2) never notified; its creation is, and the marker is read from the key's versions.
        try await TestAWS.sendMessage(
            queue, body: Self.message([Self.record(bucket, one + ".tflock", "ObjectCreated:Put", version: v2, principal: alice)]))
        // Removed by someone else.
        try await TestAWS.sendMessage(
            queue,
            body: Self.message([
                Self.record(bucket, two + ".tflock", "ObjectCreated:Put", version: v3, principal: "AWS:AIDAALICEUSER"),
                Self.record(bucket, two + ".tflock", "ObjectRemoved:DeleteMarkerCreated", version: m3, principal: "AWS:AROABOBOPS:bob"),
            ]))
        // The test event, and two poison messages.
        try await TestAWS.sendMessage(
            queue, body: #"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-12-01T10:00:00.000Z","Bucket":"\#(bucket)"}"#)
        try await TestAWS.sendMessage(queue, body: "this is not json")
        try await TestAWS.sendMessage(queue, body: #"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put"}]}"#)

        _ = try await listener.drain(store: store, now: Self.now, logger: Logger(label: "test"))
        let sequenced = try await Self.events(db)
        let events = sequenced.map(\.event)
        #expect(events.filter { $0.kind == .lockAcquired }.map(\.details["version_id"]) == [.string(v1), .string(v2), .string(v3)])
        #expect(Set(events.filter { $0.kind == .lockReleased }.compactMap { $0.details["version_id"]?.stringValue }) == [m1, m2, m3])
        #expect(events.filter { $0.kind == .lockReleased }.count == 3)  // the duplicate added nothing
        #expect(events.allSatisfy { $0.kind != .observationUnparsed })
        #expect(events.first { $0.details["version_id"]?.stringValue == v1 }?.state == "\(bucket)/\(one)")

        let holds = HoldDerivation.derive(sequenced).holds
        let forced = try #require(holds.first { $0.lockID == ids[2] })
        #expect(forced.releaseKind == .forced)
        #expect(forced.forcedBy == "assumed_role:AROABOBOPS (session bob)")
        let evidence = forced.evidence.map(\.note).joined(separator: " | ")
        #expect(evidence.contains("created by iam_user:AIDAALICEUSER") && evidence.contains("removed by assumed_role:AROABOBOPS"), "\(evidence)")
        #expect(holds.first { $0.lockID == ids[0] }?.releaseKind == .released)  // the same role, another session
        #expect(holds.first { $0.lockID == ids[1] }?.releaseKind == .released)  // no principal for the removal: no claim

        // The poison messages were never deleted: after their second receive SQS moved them to the dead-letter queue.
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(1200))
            _ = try await listener.drain(store: store, now: Self.now, logger: Logger(label: "test"))
        }
        #expect(try await TestAWS.queueDepth(queue) == 0)
        #expect(try await TestAWS.queueDepth(deadLetters) == 2)
        #expect(try await db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }

    @Test("reconciliation: a lock whose every notification was lost is found by the walk of the whole history, recorded as found by reconciliation")
    func reconciliation() async throws {
        let bucket = TestAWS.uniqueName("recon")
        try await TestAWS.createBucket(bucket, versioned: true)
        let (queue, _) = try await TestAWS.createQueueWithDeadLetters(TestAWS.uniqueName("recon"), maxReceiveCount: 2)
        let s3 = try TestAWS.s3()
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        let source = S3BucketSource(bucket: bucket, prefix: nil, client: s3, queueURL: queue, reconcileInterval: 2)
        let listener = S3QueueListener(queueURL: queue, client: try TestAWS.sqs(), sources: [source], waitSeconds: 1)
        _ = try await listener.drain(store: store, now: Self.now, logger: Logger(label: "test"))
        let state = "lost/terraform.tfstate"
        try await s3.putObject(
            bucket: bucket, key: state + ".tflock", body: Self.lockBody("44444444-4444-4444-4444-444444444444", "\(bucket)/\(state)"))
        try await s3.deleteObject(bucket: bucket, key: state + ".tflock")
        // No message: nothing to do until the reconciliation is due.
        #expect(try await listener.drain(store: store, now: Self.now, logger: Logger(label: "test")).isEmpty)
        try await Task.sleep(for: .seconds(2.2))
        let reports = try await listener.drain(store: store, now: Self.now, logger: Logger(label: "test"))
        #expect(reports.map { $0.repaired } == [2])
        let events = try await Self.events(db).map(\.event)
        #expect(events.map(\.kind) == [.lockAcquired, .lockReleased])
        #expect(events.allSatisfy { $0.details["found_by"] == "reconciliation" })
    }
}
