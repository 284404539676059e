import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// `stale`'s view of the holder's run: alive while it is heard from as often as it said it would be.
@Suite("Stale locks and their holders' runs")
struct StaleTests {
    @Test("a run silent for 40 minutes is alive if it beats every 30 minutes, silent if every 30 seconds")
    func heartbeatInterval() async throws {
        let db = try await TestDatabase.make()
        let now = Timestamp(parsing: "2026-11-23T12:00:00Z")!
        let started = now.adding(seconds: -3 * 86_400)
        var events: [Event] = []
        for (name, beat) in [("slow", 1800.0), ("fast", 30.0)] {
            let state = "b/\(name)/terraform.tfstate", run = "run-\(name)",
                lockID = "\(name == "slow" ? "a" : "b")0000000-0000-0000-0000-000000000000"
            let who: JSONValue = .string("ci@\(name)")
            events += [
                Event(
                    key: "\(name)-1", kind: .runStarted, source: "hook", mechanism: .hook, time: .exact(started), observedAt: started,
                    state: state, details: ["run_id": .string(run), "who": who, "heartbeat_seconds": .number(beat)]),
                Event(
                    key: "\(name)-2", kind: .lockAcquired, source: "s3:b", mechanism: .s3Lockfile, time: .exact(started.adding(seconds: 1)),
                    observedAt: started, lockID: lockID, state: state,
                    details: ["who": who, "operation": "OperationTypeApply", "path": .string(state)]),
                Event(
                    key: "\(name)-3", kind: .runHeartbeat, source: "hook", mechanism: .hook, time: .exact(now.adding(seconds: -40 * 60)),
                    observedAt: now, state: state, details: ["run_id": .string(run), "who": who, "heartbeat_seconds": .number(beat)]),
            ]
        }
        _ = try await EventLog.append(events, pool: db.pool)
        let page = try await db.pool.withConnection { connection in
            try Derivation.catchUp(on: connection)
            return try Answers.stale(olderThan: 86_400, cursor: nil, limit: 10, now: now, on: connection)
        }
        let byState = Dictionary(uniqueKeysWithValues: page.items.map { ($0["state"]?.stringValue ?? "", $0) })
        #expect(byState["b/slow/terraform.tfstate"]?["holder_alive"] == true, "\(page.items)")
        #expect(byState["b/slow/terraform.tfstate"]?["holder_run_status"] == "running")
        #expect(byState["b/fast/terraform.tfstate"]?["holder_alive"] == false, "\(page.items)")
        #expect(byState["b/fast/terraform.tfstate"]?["holder_run_status"] == "silent")
    }
}
