import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// Coverage gaps of a versioned bucket whose history is pruned, against the emulator: versions
/// removed by id as a lifecycle rule's noncurrent-version expiration removes them.
@Suite("S3 coverage gaps against the emulator", .serialized)
struct S3CoverageGapCollectorTests {
    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    static func record(_ id: String, _ path: String) -> [UInt8] {
        Array(
            #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"ci@runner","Version":"1.11.4","Created":"2025-03-04T05:06:07Z","Path":"\#(path)"}"#
                .utf8)
    }

    /// A lock taken and released as terraform does on a versioned bucket; returns the lock's version id.
    static func lockAndRelease(_ s3: S3Client, bucket: String, key: String, id: String) async throws -> String {
        let state = String(key.dropLast(".tflock".count))
        let head = try await s3.putObject(
            bucket: bucket, key: key, body: record(id, "\(bucket)/\(state)"), contentType: "application/json",
            ifNoneMatch: "*")
        try await s3.deleteObject(bucket: bucket, key: key)
        return try #require(head.versionId)
    }

    @Test("pruned lock-file versions become coverage gaps for their states, once")
    func prunedHistory() async throws {
        let bucket = TestAWS.uniqueName("state")
        try await TestAWS.createBucket(bucket, versioned: true)
        let s3 = try TestAWS.s3()
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        let source = S3BucketSource(bucket: bucket, prefix: nil, client: s3)
        func cycle() async throws -> CycleReport { try await source.runCycle(store: store, now: Self.now, logger: Logger(label: "test")) }
        func gaps() async throws -> [Event] {
            try await db.pool.withConnection { try EventLog.list(after: 0, kind: "source.coverage_gap", state: nil, limit: 100, on: $0) }.map(\.event)
        }

        // A lock seen whole, then its version expired: versions are being pruned on that key.
        let appKey = "app/terraform.tfstate.tflock"
        let first = try await Self.lockAndRelease(s3, bucket: bucket, key: appKey, id: "11111111-1111-1111-1111-111111111111")
        #expect(try await cycle().appended == 2)
        try await s3.deleteObject(bucket: bucket, key: appKey, versionId: first)
        let pruned = try await cycle()
        #expect(pruned.gapRecorded)
        var recorded = try await gaps()
        #expect(recorded.map(\.state) == ["\(bucket)/app/terraform.tfstate"])
        #expect(recorded.first?.details["reason"]?.stringValue?.contains("no longer listed") == true)

        // A lock made and pruned between two cycles: only its delete marker is left.
        try await Task.sleep(for: .milliseconds(1100))  // S3 keeps whole seconds: the marker must be later than the last scan
        let netKey = "net/terraform.tfstate.tflock"
        let unseen = try await Self.lockAndRelease(s3, bucket: bucket, key: netKey, id: "22222222-2222-2222-2222-222222222222")
        try await s3.deleteObject(bucket: bucket, key: netKey, versionId: unseen)
        #expect(try await cycle().gapRecorded)
        recorded = try await gaps()
        #expect(recorded.map(\.state) == ["\(bucket)/app/terraform.tfstate", "\(bucket)/net/terraform.tfstate"])
        #expect(recorded.last?.details["reason"]?.stringValue?.contains("no version listed before it") == true)

        // Nothing new: nothing recorded, the gaps not repeated.
        let quiet = try await cycle()
        #expect(quiet.appended == 0 && !quiet.gapRecorded)
        #expect(try await gaps().count == 2)
    }

    @Test("after a backfill, the first collector cycle continues its coverage: history pruned in between is a gap")
    func prunedAfterBackfill() async throws {
        let bucket = TestAWS.uniqueName("state")
        try await TestAWS.createBucket(bucket, versioned: true)
        let s3 = try TestAWS.s3()
        let db = try await TestDatabase.make()
        let key = "app/terraform.tfstate.tflock"
        let version = try await Self.lockAndRelease(s3, bucket: bucket, key: key, id: "33333333-3333-3333-3333-333333333333")
        let backfill = try await S3Backfill(bucket: bucket, prefix: nil, client: s3).run(store: BackfillStore(pool: db.pool), now: Self.now)
        #expect(backfill.appended == 2)
        let covered = try await SourceStore(pool: db.pool).load("s3:\(bucket)", kind: .s3).checkpoint
        #expect(covered.status == .versioned && covered.lastScanCompleted != nil)

        try await s3.deleteObject(bucket: bucket, key: key, versionId: version)
        let source = S3BucketSource(bucket: bucket, prefix: nil, client: s3)
        let first = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
        #expect(first.gapRecorded)
        let gaps = try await db.pool.withConnection { try EventLog.list(after: 0, kind: "source.coverage_gap", state: nil, limit: 10, on: $0) }
        #expect(gaps.map(\.event.state) == ["\(bucket)/app/terraform.tfstate"])
    }
}
