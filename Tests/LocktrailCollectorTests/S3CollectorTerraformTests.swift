import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// The S3 collector and backfill against real terraform runs on the emulator, with a real PostgreSQL.
@Suite("S3 collector with real terraform", .serialized)
struct S3CollectorTerraformTests {
    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    /// A bucket (versioned unless told otherwise), a terraform project locking with a lock file
    /// (and a DynamoDB table in dual mode), a database, and the S3 source.
    struct Fixture {
        let bucket: String
        let table: String?
        let project: TerraformProject
        let db: TestDatabase
        let s3: S3Client
        let source: S3BucketSource
        let layout: WorkspaceLayout

        init(versioned: Bool = true, dynamoDB: Bool = false, workspaceKeyPrefix: String? = nil) async throws {
            bucket = TestAWS.uniqueName("state")
            try await TestAWS.createBucket(bucket, versioned: versioned)
            if dynamoDB {
                let name = TestAWS.uniqueName("locks")
                _ = try await TestAWS.dynamoDB().createTable(name)
                table = name
            } else {
                table = nil
            }
            project = try TerraformProject(bucket: bucket, dynamoDBTable: table, useLockfile: true, workspaceKeyPrefix: workspaceKeyPrefix)
            try await project.initialize()
            db = try await TestDatabase.make()
            s3 = try TestAWS.s3()
            layout = WorkspaceLayout(prefix: workspaceKeyPrefix ?? "env:")
            source = S3BucketSource(bucket: bucket, prefix: nil, client: s3, layout: layout)
        }

        @discardableResult
        func cycle() async throws -> CycleReport {
            try await source.runCycle(store: SourceStore(pool: db.pool), now: S3CollectorTerraformTests.now, logger: Logger(label: "test"))
        }

        func events(in database: TestDatabase? = nil) async throws -> [Event] {
            try await (database ?? db).pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 100_000, on: $0) }.map(\.event)
        }

        /// Waits until the lock file of `stateKey` exists and returns its record.
        func waitForLockFile(_ stateKey: String, timeout: Double = 60) async throws -> LockRecord {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let object = try? await s3.getObject(bucket: bucket, key: stateKey + ".tflock"),
                    let record = LockRecordParse.parse(object.body).record
                {
                    return record
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TerraformFailure(command: "(waiting for the lock file \(stateKey).tflock)", output: "no lock file appeared")
        }

        /// Every version and delete marker of the bucket, as S3 lists them.
        func versions() async throws -> [S3VersionEntry] {
            var out: [S3VersionEntry] = []
            for try await page in s3.listAllVersions(bucket: bucket) { out += page.entries }
            return out
        }
    }

    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    @Test("five quick plans, each lock far shorter than a poll: one cycle records every acquire and release at its exact time")
    func quickPlans() async throws {
        let f = try await Fixture()
        for _ in 0..<5 {
            let plan = try await f.project.run(["plan", "-no-color", "-input=false"])
            #expect(plan.status == 0, "\(plan.output)")
        }
        try await f.cycle()
        let events = try await f.events()
        let lockKey = "app/terraform.tfstate.tflock"
        let listed = try await f.versions().filter { $0.key == lockKey }
        let versions = listed.compactMap { if case .version(let v) = $0 { v } else { nil } }
        let markers = listed.compactMap { if case .deleteMarker(let m) = $0 { m } else { nil } }
        let acquired = events.filter { $0.kind == .lockAcquired && $0.details["operation"] == "OperationTypePlan" }
        #expect(acquired.count == 5)
        #expect(events.filter { $0.kind == .lockReleased }.count == markers.count)
        for version in versions {
            let body = try await f.s3.getObject(bucket: f.bucket, key: lockKey, versionId: version.versionId).body
            let record = try #require(LockRecordParse.parse(body).record)
            let e = try #require(events.first { $0.kind == .lockAcquired && $0.details["version_id"]?.stringValue == version.versionId })
            #expect(e.time == .exact(Self.timestamp(version.lastModified)))
            #expect(e.lockID == record.id)
            #expect(e.details["who"] == .string(record.who!))
            #expect(e.details["operation"] == .string(record.operation!))
            #expect(e.details["created"] == .string(record.createdText!))
            #expect(e.state == "\(f.bucket)/app/terraform.tfstate")
            #expect(e.mechanism == .s3Lockfile)
        }
        for marker in markers {
            let e = try #require(events.first { $0.kind == .lockReleased && $0.details["version_id"]?.stringValue == marker.versionId })
            #expect(e.time == .exact(Self.timestamp(marker.lastModified)))
            let acquire = try #require(events.first { $0.kind == .lockAcquired && $0.lockID == e.lockID })
            #expect(acquire.time.latest <= e.time.latest)
        }
        // Every lock released exactly once.
        #expect(
            Set(events.filter { $0.kind == .lockReleased }.compactMap(\.lockID))
                == Set(events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID)))
        #expect(try await f.cycle().appended == 0)
        #expect(try await f.db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }

    @Test(
        "default and named workspaces, lock file alone, with DynamoDB, and with a custom workspace_key_prefix",
        arguments: [(false, nil), (true, nil), (false, "teams")] as [(Bool, String?)])
    func workspaces(dynamoDB: Bool, prefix: String?) async throws {
        let f = try await Fixture(dynamoDB: dynamoDB, workspaceKeyPrefix: prefix)
        let apply = try await f.project.run(["apply", "-auto-approve", "-no-color"])
        #expect(apply.status == 0, "\(apply.output)")
        let ws = try await f.project.run(["workspace", "new", "-no-color", "staging"])
        #expect(ws.status == 0, "\(ws.output)")
        let applyStaging = try await f.project.run(["apply", "-auto-approve", "-no-color"])
        #expect(applyStaging.status == 0, "\(applyStaging.output)")
        try await f.cycle()
        let events = try await f.events()
        let stagingKey = "\(prefix ?? "env:")/staging/app/terraform.tfstate"
        for (key, workspace) in [("app/terraform.tfstate", "default"), (stagingKey, "staging")] {
            let path = "\(f.bucket)/\(key)"
            let applies = events.filter { $0.kind == .lockAcquired && $0.state == path && $0.details["operation"] == "OperationTypeApply" }
            #expect(applies.count == 1, "\(path)")
            #expect(applies.first?.workspace == workspace)
            #expect(events.contains { $0.kind == .lockReleased && $0.lockID == applies.first?.lockID })
            let writes = events.filter { $0.kind == .stateWritten && $0.state == path }
            #expect(!writes.isEmpty, "\(path)")
            let last = try #require(writes.last)
            #expect(last.mechanism == .s3State)
            #expect(last.workspace == workspace)
            #expect(last.details["serial"]?.numberValue != nil)
            #expect(last.details["lineage"]?.stringValue?.count == 36)
            #expect(last.details["terraform_version"]?.stringValue?.isEmpty == false)
            #expect(last.details["encrypted"] == false)
            #expect(last.details["version_id"]?.stringValue != nil)
        }
        if let table = f.table {
            // Dual mode: the DynamoDB item and the lock file carry the same lock ID.
            let ddb = DynamoDBLockTableSource(table: table, region: "us-east-1", client: try TestAWS.dynamoDB(), layout: f.layout)
            // A fresh workspace: the provisioner that holds the lock runs only when the resource is created.
            #expect(try await f.project.run(["workspace", "new", "-no-color", "dual"]).status == 0)
            let dualKey = "\(prefix ?? "env:")/dual/app/terraform.tfstate"
            let apply = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=3"])
            let record: LockRecord
            do {
                record = try await f.waitForLockFile(dualKey)
            } catch {
                apply.signal(SIGKILL)
                _ = await apply.wait()
                throw TerraformFailure(command: "apply", output: apply.output)
            }
            try await ddb.runCycle(store: SourceStore(pool: f.db.pool), now: Self.now, logger: Logger(label: "test"))
            #expect(await apply.wait() == 0, "\(apply.output)")
            try await f.cycle()
            let seen = try await f.events().filter { $0.kind == .lockAcquired && $0.lockID == record.id }
            #expect(Set(seen.compactMap(\.mechanism?.rawValue)) == ["dynamodb", "s3-lockfile"])
            #expect(Set(seen.map(\.source)) == ["dynamodb:us-east-1/\(table)", f.source.name])

            // Each upload DynamoDB's digest saw is the same write as an S3 state version: one write.
            _ = try await ddb.runCycle(store: SourceStore(pool: f.db.pool), now: Self.now, logger: Logger(label: "test"))
            let dualPath = "\(f.bucket)/\(dualKey)"
            let stored = try await f.db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: dualPath, limit: 10_000, on: $0) }
            let digests = stored.filter { $0.event.kind == .stateWritten && $0.event.mechanism == .dynamodb }
            let objects = stored.filter { $0.event.kind == .stateWritten && $0.event.mechanism == .s3State }
            let writes = HoldDerivation.derive(stored.map { SequencedEvent(seq: $0.seq, event: $0.event) }).writes
            #expect(!digests.isEmpty)
            #expect(writes.count == objects.count, "\(writes.map(\.sources))")
            #expect(writes.filter { $0.sources.count == 2 }.count == digests.count, "\(writes.map(\.sources))")
        }
    }

    @Test("an unversioned bucket is followed by listings: acquire at LastModified, release within the scans")
    func unversioned() async throws {
        let f = try await Fixture(versioned: false)
        let apply = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=3"])
        let record = try await f.waitForLockFile("app/terraform.tfstate")
        try await f.cycle()
        #expect(await apply.wait() == 0, "\(apply.output)")
        try await f.cycle()
        let events = try await f.events()
        let acquired = try #require(events.first { $0.kind == .lockAcquired && $0.lockID == record.id })
        #expect(acquired.details["operation"] == "OperationTypeApply")
        #expect(acquired.time.exact != nil)
        let released = try #require(events.first { $0.kind == .lockReleased && $0.lockID == record.id })
        guard case .between(let after, _) = released.time else { Issue.record("a listing cannot know the release exactly"); return }
        #expect(after != nil)
        #expect(events.contains { $0.kind == .stateWritten && $0.details["serial"]?.numberValue != nil })
        #expect(try await f.cycle().appended == 0)
    }

    @Test("a backfill of history made before the collector started matches what the collector records")
    func backfillMatchesCollector() async throws {
        let f = try await Fixture()
        for _ in 0..<3 {
            #expect(try await f.project.run(["plan", "-no-color", "-input=false"]).status == 0)
        }
        #expect(try await f.project.run(["apply", "-auto-approve", "-no-color"]).status == 0)
        #expect(try await f.project.run(["workspace", "new", "-no-color", "dev"]).status == 0)
        #expect(try await f.project.run(["apply", "-auto-approve", "-no-color"]).status == 0)
        // Small pages, so a key's history spans pages.
        let other = try await TestDatabase.make()
        let backfill = S3Backfill(bucket: f.bucket, prefix: nil, client: f.s3, layout: f.layout, pageSize: 3)
        let result = try await backfill.run(store: BackfillStore(pool: other.pool), now: Self.now)
        #expect(result.finished)
        try await f.cycle()
        let fromBackfill = try await f.events(in: other)
        let fromCollector = try await f.events()
        #expect(fromBackfill.count == result.appended)
        #expect(Set(fromBackfill.map(\.key)) == Set(fromCollector.map(\.key)))
        #expect(Set(fromBackfill.map(Self.comparable)) == Set(fromCollector.map(Self.comparable)))
        #expect(fromBackfill.filter { $0.kind == .lockAcquired }.count >= 5)
        // Again: nothing new.
        let again = try await backfill.run(store: BackfillStore(pool: other.pool), now: Self.now)
        #expect(again.appended == 0)
        #expect(again.duplicates == result.appended)
    }

    /// An event without the moment it was observed, which differs between runs.
    static func comparable(_ e: Event) -> Event {
        var e = e
        e.observedAt = Timestamp(microsecondsSinceEpoch: 0)
        return e
    }
}
