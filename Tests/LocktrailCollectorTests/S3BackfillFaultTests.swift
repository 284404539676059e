import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Backfill killed and restarted, and version bodies that are not lock records.
@Suite("S3 backfill faults", .serialized)
struct S3BackfillFaultTests {
    /// A versioned bucket with `keys` lock files locked and released `rounds` times each, plus one
    /// version whose body is not a lock record (released like any other).
    static func history(keys: Int, rounds: Int) async throws -> (bucket: String, s3: S3Client) {
        let bucket = TestAWS.uniqueName("hist")
        try await TestAWS.createBucket(bucket, versioned: true)
        let s3 = try TestAWS.s3()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for k in 0..<keys {
                group.addTask {
                    let key = "s\(k)/terraform.tfstate.tflock"
                    for r in 0..<rounds {
                        let id = String(format: "%08x-0000-4000-8000-%012x", k, r)
                        let body =
                            #"{"ID":"\#(id)","Operation":"OperationTypePlan","Info":"","Who":"ci@runner","Version":"1.11.4","Created":"2025-03-04T05:06:07.5Z","Path":"\#(bucket)/s\#(k)/terraform.tfstate"}"#
                        try await s3.putObject(bucket: bucket, key: key, body: Array(body.utf8), contentType: "application/json", ifNoneMatch: "*")
                        try await s3.deleteObject(bucket: bucket, key: key)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await s3.putObject(bucket: bucket, key: "odd/terraform.tfstate.tflock", body: Array("not a lock record".utf8))
        try await s3.deleteObject(bucket: bucket, key: "odd/terraform.tfstate.tflock")
        return (bucket, s3)
    }

    static func events(_ db: TestDatabase) async throws -> [Event] {
        try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 100_000, on: $0) }.map(\.event)
    }

    @Test("backfill killed with SIGKILL and restarted: the same events as an uninterrupted backfill, none twice")
    func sigkill() async throws {
        let (bucket, s3) = try await Self.history(keys: 30, rounds: 12)
        let reference = try await TestDatabase.make()
        let clean = try await S3Backfill(bucket: bucket, prefix: nil, client: s3, pageSize: 50)
            .run(store: BackfillStore(pool: reference.pool), now: { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) })
        #expect(clean.appended == 30 * 12 * 2 + 2)

        let db = try await TestDatabase.make()
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
        let arguments = [CollectorFaultTests.binary, "backfill", "--s3-bucket", bucket, "--page-size", "50", "--concurrency", "4"]
        var killedMidway = 0
        for attempt in 0..<4 {
            let victim = try Spawned(arguments, environment: environment, directory: directory)
            try await Task.sleep(for: .milliseconds(300 + attempt * 250))
            victim.signal(SIGKILL)
            if await victim.wait() == 128 + SIGKILL { killedMidway += 1 }
        }
        #expect(killedMidway > 0, "no backfill was killed before it finished")
        let partial = try await Self.events(db).count
        let survivor = try Spawned(arguments, environment: environment, directory: directory)
        #expect(await survivor.wait() == 0, "\(survivor.output)")
        #expect(survivor.output.contains("new events"))

        let expected = try await Self.events(reference)
        let got = try await Self.events(db)
        #expect(got.count == expected.count, "partial before the last run: \(partial)")
        #expect(Set(got.map(\.key)).count == got.count)
        #expect(Set(got.map(S3CollectorTerraformTests.comparable)) == Set(expected.map(S3CollectorTerraformTests.comparable)))
        #expect(try await db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }

    @Test("a version body that is not a lock record is kept raw with the reason; its delete marker still ends a hold")
    func unparsedBody() async throws {
        let (bucket, s3) = try await Self.history(keys: 1, rounds: 1)
        let db = try await TestDatabase.make()
        _ = try await S3Backfill(bucket: bucket, prefix: nil, client: s3)
            .run(store: BackfillStore(pool: db.pool), now: { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) })
        let events = try await Self.events(db).filter { $0.state == "\(bucket)/odd/terraform.tfstate" }
        #expect(events.map(\.kind) == [.observationUnparsed, .lockReleased])
        let odd = try #require(events.first)
        #expect(odd.raw?["text"] == "not a lock record")
        #expect(odd.details["reason"]?.stringValue?.hasPrefix("lock file whose body is not a lock record") == true)
        #expect(odd.mechanism == .s3Lockfile)
        #expect(events.last?.lockID == nil)
        #expect(events.last?.details["unparsed"] == true)
    }
}
