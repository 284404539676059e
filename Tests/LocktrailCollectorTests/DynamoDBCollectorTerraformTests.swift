import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// The DynamoDB collector against real terraform runs on the emulator, with a real PostgreSQL.
@Suite("DynamoDB collector with real terraform", .serialized)
struct DynamoDBCollectorTerraformTests {
    /// A table, a bucket, a terraform project locking with the table, a database, and a source.
    struct Fixture {
        let table: String
        let bucket: String
        let project: TerraformProject
        let db: TestDatabase
        let source: DynamoDBLockTableSource
        let client: DynamoDBClient

        init(workspaceKeyPrefix: String? = nil) async throws {
            table = TestAWS.uniqueName("locks")
            bucket = TestAWS.uniqueName("state")
            client = try TestAWS.dynamoDB()
            _ = try await client.createTable(table)
            try await TestAWS.createBucket(bucket)
            project = try TerraformProject(bucket: bucket, dynamoDBTable: table, workspaceKeyPrefix: workspaceKeyPrefix)
            try await project.initialize()
            db = try await TestDatabase.make()
            source = DynamoDBLockTableSource(
                table: table, region: "us-east-1", client: client,
                layout: WorkspaceLayout(prefix: workspaceKeyPrefix ?? "env:"))
        }

        @discardableResult
        func cycle() async throws -> CycleReport {
            try await source.runCycle(
                store: SourceStore(pool: db.pool), now: { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) },
                logger: Logger(label: "test"))
        }

        func events() async throws -> [Event] {
            try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 10_000, on: $0) }.map(\.event)
        }

        /// Waits until the lock item of `lockPath` exists and returns its record.
        func waitForLock(_ lockPath: String, timeout: Double = 60) async throws -> LockRecord {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let item = try await client.getItem(table: table, key: ["LockID": .string(lockPath)]),
                    case .string(let info)? = item["Info"], let record = LockRecordParse.parse(Array(info.utf8)).record
                {
                    return record
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TerraformFailure(command: "(waiting for the lock on \(lockPath))", output: "no lock item appeared")
        }
    }

    @Test("an apply in the default workspace: acquire, release and the digest write, exactly as terraform wrote them")
    func applyDefaultWorkspace() async throws {
        let f = try await Fixture()
        let lockPath = "\(f.bucket)/app/terraform.tfstate"
        let apply = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=3"])
        let record = try await f.waitForLock(lockPath)
        try await f.cycle()
        #expect(await apply.wait() == 0, "\(apply.output)")
        try await f.cycle()
        let events = try await f.events()

        let acquired = try #require(events.first { $0.kind == .lockAcquired && $0.lockID == record.id })
        #expect(acquired.state == lockPath)
        #expect(acquired.workspace == "default")
        #expect(acquired.details["who"] == .string(record.who!))
        #expect(acquired.details["operation"] == "OperationTypeApply")
        #expect(acquired.details["version"] == .string(record.version!))
        #expect(acquired.details["created"] == .string(record.createdText!))
        #expect(acquired.time == .exact(record.created!))
        let released = try #require(events.first { $0.kind == .lockReleased && $0.lockID == record.id })
        #expect(released.state == lockPath)
        guard case .between(let after, let notAfter) = released.time else { Issue.record("release has an exact time"); return }
        #expect(after != nil && after! < notAfter)
        let written = events.filter { $0.kind == .stateWritten && $0.state == lockPath }
        #expect(written.count == 1)
        #expect(written.first?.details["digest"]?.stringValue?.count == 32)
        let report = try await f.db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(report.isIntact)
    }

    @Test("a named workspace (default env: prefix and a custom workspace_key_prefix)", arguments: [nil, "teams"] as [String?])
    func namedWorkspace(prefix: String?) async throws {
        let f = try await Fixture(workspaceKeyPrefix: prefix)
        let ws = try await f.project.run(["workspace", "new", "-no-color", "staging"])
        #expect(ws.status == 0, "\(ws.output)")
        let lockPath = "\(f.bucket)/\(prefix ?? "env:")/staging/app/terraform.tfstate"
        let apply = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=3"])
        let record = try await f.waitForLock(lockPath)
        try await f.cycle()
        #expect(await apply.wait() == 0, "\(apply.output)")
        try await f.cycle()
        let events = try await f.events()
        let acquired = try #require(events.first { $0.kind == .lockAcquired && $0.lockID == record.id })
        #expect(acquired.state == lockPath)
        #expect(acquired.workspace == "staging")
        #expect(acquired.details["operation"] == "OperationTypeApply")
        #expect(events.contains { $0.kind == .lockReleased && $0.lockID == record.id && $0.workspace == "staging" })
        #expect(events.contains { $0.kind == .stateWritten && $0.state == lockPath })
    }

    @Test("a second apply blocked by the first fails with the holder, and records no lock of its own")
    func blockedApply() async throws {
        let f = try await Fixture()
        let lockPath = "\(f.bucket)/app/terraform.tfstate"
        let first = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=5"])
        let holder = try await f.waitForLock(lockPath)
        try await f.cycle()
        let second = try await f.project.run(["apply", "-auto-approve", "-no-color", "-lock-timeout=0s", "-var", "hold=0"])
        #expect(second.status == 1)
        #expect(second.output.contains("Error acquiring the state lock"))
        #expect(second.output.contains(holder.id))
        #expect(await first.wait() == 0)
        try await f.cycle()
        let locks = try await f.events().filter { $0.kind == .lockAcquired }
        #expect(locks.map(\.lockID) == [holder.id])
    }

    @Test("force-unlock of a lock left by a killed apply shows up as its release")
    func forceUnlockAfterKill() async throws {
        let f = try await Fixture()
        let lockPath = "\(f.bucket)/app/terraform.tfstate"
        let apply = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        let record = try await f.waitForLock(lockPath)
        try await f.cycle()
        apply.signal(SIGKILL)
        #expect(await apply.wait() == 128 + SIGKILL)
        let still = try await f.cycle()
        #expect(still.appended == 0)  // the stale lock is still there
        let unlock = try await f.project.run(["force-unlock", "-force", "-no-color", record.id])
        #expect(unlock.status == 0, "\(unlock.output)")
        #expect(unlock.output.contains("successfully unlocked"))
        try await f.cycle()
        let released = try await f.events().filter { $0.kind == .lockReleased }
        #expect(released.map(\.lockID) == [record.id])
        #expect(released.first?.details["reason"] == "disappeared")
    }

    @Test("a deleted table is one event, not a release per lock; an unchanged table writes nothing")
    func tableMissing() async throws {
        let f = try await Fixture()
        for n in 0..<3 {
            _ = try await f.client.putItem(
                table: f.table,
                item: [
                    "LockID": .string("\(f.bucket)/s\(n).tfstate"),
                    "Info": .string(
                        #"{"ID":"0000000\#(n)-0000-0000-0000-000000000000","Operation":"OperationTypeApply","Info":"","Who":"a@h","Version":"1.11.4","Created":"2025-03-04T05:06:07Z","Path":"\#(f.bucket)/s\#(n).tfstate"}"#
                    ),
                ])
        }
        #expect(try await f.cycle().appended == 3)
        #expect(try await f.cycle().appended == 0)
        try await f.client.deleteTable(f.table)
        let missing = try await f.cycle()
        #expect(missing.tableMissing)
        #expect(missing.appended == 1)
        #expect(try await f.cycle().appended == 0)  // still missing: nothing new
        let events = try await f.events()
        #expect(events.filter { $0.kind == .lockReleased }.isEmpty)
        let event = try #require(events.last)
        #expect(event.kind == .sourceTableMissing)
        #expect(event.details["held_lock_ids"]?.arrayCount == 3)
    }
}

extension JSONValue {
    var arrayCount: Int? {
        if case .array(let a) = self { return a.count }
        return nil
    }
}
