import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// `locktrail unlock` against a lock left by a killed terraform apply (DynamoDB and lock file).
@Suite("locktrail unlock", .serialized)
struct UnlockTests {
    @Test("refuses a fresh lock, removes a stale one only while it carries that ID, and records both", arguments: [false, true])
    func unlock(useLockfile: Bool) async throws {
        let fixture = try await LockTestFixture.make(useLockfile: useLockfile)
        let (table, client, project, db, state) = (fixture.table, fixture.client, fixture.project, fixture.db, fixture.state)

        let victim = try project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        var id: String?
        for _ in 0..<300 where id == nil {
            if let item = try await client.getItem(table: table, key: ["LockID": .string(state)]), case .string(let info)? = item["Info"] {
                id = LockRecordParse.parse(Array(info.utf8)).record?.id
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let lockID = try #require(id)
        victim.signal(SIGKILL)
        _ = await victim.wait()

        var common = ["--state", state, "--lock-id", lockID, "--reason", "apply killed; runner gone", "--dynamodb-table", table]
        if useLockfile { common.append("--lockfile") }
        // A wrong ID removes nothing.
        let wrong = try await fixture.locktrail(
            [
                "unlock",
                "--state", state, "--lock-id", "00000000-0000-0000-0000-000000000000",
                "--reason", "x", "--dynamodb-table", table,
            ])
        #expect(wrong.0 == 3, "\(wrong.1)")
        // Fresh: refused.
        let fresh = try await fixture.locktrail(["unlock"] + common + ["--min-age", "10m"])
        #expect(fresh.0 == 2, "\(fresh.1)")
        #expect(fresh.1.contains("refused"))
        // Its wrapped run was last heard from 5 minutes ago, beyond --alive-within (2m), but it
        // beats every 10 minutes: still alive, so refused. Once the run has finished, it is not.
        let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
        let info = try #require(try await client.getItem(table: table, key: ["LockID": .string(state)])?["Info"]?.stringValue)
        let holderWho = try #require(LockRecordParse.parse(Array(info.utf8)).record?.who)
        func hook(_ kind: EventKind, minutesAgo: Double) -> Event {
            HookEvent(
                id: UUID().uuidString, kind: kind, time: now.adding(seconds: -60 * minutesAgo), runID: "run-slow-beats",
                state: state, details: ["who": .string(holderWho), "heartbeat_seconds": 600]
            ).event(receivedAt: now, ingestToken: "test")
        }
        _ = try await EventLog.append([hook(.runStarted, minutesAgo: 25), hook(.runHeartbeat, minutesAgo: 5)], pool: db.pool)
        let alive = try await fixture.locktrail(["unlock"] + common + ["--min-age", "0s"])
        #expect(alive.0 == 2, "\(alive.1)")
        #expect(alive.1.contains("ALIVE: run run-slow-beats"), "\(alive.1)")
        _ = try await EventLog.append([hook(.runFinished, minutesAgo: 1)], pool: db.pool)

        // Dry run: shows, changes nothing.
        let dry = try await fixture.locktrail(["unlock"] + common + ["--min-age", "0s", "--dry-run"])
        #expect(dry.0 == 0, "\(dry.1)")
        #expect(dry.1.contains("no live wrapped run seen"), "\(dry.1)")
        #expect(try await client.getItem(table: table, key: ["LockID": .string(state)])?["Info"] != nil)
        // Stale enough: removed.
        let removed = try await fixture.locktrail(["unlock"] + common + ["--min-age", "0s"])
        #expect(removed.0 == 0, "\(removed.1)")
        #expect(try await client.getItem(table: table, key: ["LockID": .string(state)])?["Info"] == nil)
        // terraform can lock again.
        let plan = try await project.run(["plan", "-no-color", "-lock-timeout=0s"])
        #expect(plan.status == 0, "\(plan.output)")

        let events = try await db.pool.withConnection { try EventLog.list(after: 0, kind: "lock.force_unlocked", state: nil, limit: 10, on: $0) }.map(
            \.event)
        #expect(events.map { $0.details["outcome"]?.stringValue } == ["held_by_other", "refused", "refused", "removed"])
        let last = try #require(events.last)
        #expect(last.lockID == lockID)
        #expect(last.details["reason"] == "apply killed; runner gone")
        #expect(last.details["actor"]?.stringValue?.contains("@") == true)
        #expect(last.details["mechanisms"] == (useLockfile ? ["s3-lockfile", "dynamodb"] : ["dynamodb"]))
    }
}
