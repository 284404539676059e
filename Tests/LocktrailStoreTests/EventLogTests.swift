import Foundation
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

@Suite("The event log")
struct EventLogTests {
    static func event(_ n: Int, source: String = "test") -> Event {
        Event(
            key: "\(source):\(n)", kind: n % 2 == 0 ? .lockReleased : .lockAcquired, source: source, mechanism: .dynamodb,
            time: n % 3 == 0
                ? .exact(Timestamp(microsecondsSinceEpoch: 1_741_064_767_123_456 + Int64(n)))
                : .between(
                    after: n % 5 == 0 ? nil : Timestamp(microsecondsSinceEpoch: 1_741_064_000_000_000),
                    notAfter: Timestamp(microsecondsSinceEpoch: 1_741_064_767_000_000 + Int64(n))),
            observedAt: Timestamp(microsecondsSinceEpoch: 1_741_064_768_000_000), lockID: "00000000-0000-0000-0000-\(String(format: "%012d", n))",
            state: "bucket/env:/dev/app.tfstate", workspace: "dev",
            details: ["who": "alice@host", "n": .int(Int64(n)), "ratio": 0.25, "quote": "it's \"quoted\"\t\\ ✓", "nested": ["a": [true, nil]]],
            raw: ["text": "{\"ID\":\"x\"}"])
    }

    @Test("appended events verify, and re-appending the same keys is a no-op")
    func appendAndVerify() async throws {
        let db = try await TestDatabase.make()
        let first = try await EventLog.append((1...50).map { Self.event($0) }, pool: db.pool)
        #expect(first == AppendOutcome(appended: 50, duplicates: 0, headSeq: 50))
        let again = try await EventLog.append((40...60).map { Self.event($0) } + [Self.event(60)], pool: db.pool)
        #expect(again == AppendOutcome(appended: 10, duplicates: 12, headSeq: 60))
        let report = try await db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(report.isIntact, "\(report)")
        #expect(report.checked == 60)
        // What comes back is what went in.
        let stored = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 100, on: $0) }
        #expect(stored.map(\.event) == (1...60).map { Self.event($0) })
    }

    @Test(
        "the database refuses UPDATE, DELETE and TRUNCATE on events",
        arguments: [
            "UPDATE events SET kind = 'x'", "DELETE FROM events", "TRUNCATE events",
        ])
    func appendOnly(_ statement: String) async throws {
        let db = try await TestDatabase.make()
        _ = try await EventLog.append([Self.event(1)], pool: db.pool)
        do {
            try await db.superuser(statement)
            Issue.record("\(statement) was allowed")
        } catch let error as PostgresError {
            #expect(error.message.contains("append-only"))
        }
    }

    /// The log after a superuser with the triggers disabled ran `sql`; verify's first break.
    func tampered(_ sql: String) async throws -> ChainBreak? {
        let db = try await TestDatabase.make()
        _ = try await EventLog.append((1...20).map { Self.event($0) }, pool: db.pool)
        try await db.superuser("ALTER TABLE events DISABLE TRIGGER USER; \(sql); ALTER TABLE events ENABLE TRIGGER USER")
        return try await db.pool.withConnection { try EventLog.verify(on: $0) }.firstBreak
    }

    @Test("a row altered by a superuser is found at that row")
    func altered() async throws {
        let b = try await tampered("UPDATE events SET details = jsonb_set(details, '{who}', '\"mallory@host\"') WHERE seq = 7")
        #expect(b?.kind == .altered)
        #expect(b?.seq == 7)
    }

    @Test("a time altered by one microsecond is found")
    func alteredTime() async throws {
        let b = try await tampered("UPDATE events SET occurred_at = occurred_at + interval '1 microsecond' WHERE seq = 9")
        #expect(b?.kind == .altered)
        #expect(b?.seq == 9)
    }

    @Test("a deleted row is found after the gap")
    func deleted() async throws {
        let b = try await tampered("DELETE FROM events WHERE seq = 7")
        #expect(b?.kind == .missing)
        #expect(b?.seq == 8)
    }

    @Test("deleted rows at the end are found against the chain head")
    func truncatedEnd() async throws {
        let b = try await tampered("DELETE FROM events WHERE seq > 18")
        #expect(b?.kind == .truncated)
    }

    @Test("an inserted row is found")
    func inserted() async throws {
        // Make room at seq 10 (two steps: the primary key is checked row by row; seq must stay positive), then insert a
        // copy of event 3 under a new key.
        let b = try await tampered(
            """
            UPDATE events SET seq = seq + 1000 WHERE seq >= 10;
            UPDATE events SET seq = seq - 999 WHERE seq >= 1000;
            INSERT INTO events (seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
                                lock_id, state, workspace, details, raw, prev_hash, hash, encoding)
              SELECT 10, 'forged', kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
                     lock_id, state, workspace, details, raw, prev_hash, hash, encoding FROM events WHERE seq = 3
            """)
        #expect(b?.kind == .inserted)
        #expect(b?.seq == 10)
    }

    @Test("two swapped rows are found")
    func swapped() async throws {
        let b = try await tampered(
            """
            UPDATE events SET seq = 1000 WHERE seq = 5;
            UPDATE events SET seq = 5 WHERE seq = 6;
            UPDATE events SET seq = 6 WHERE seq = 1000
            """)
        #expect(b?.kind == .reordered)
        #expect(b?.seq == 5)
    }

    @Test("concurrent appenders on several connections leave one valid chain with no lost event")
    func concurrentAppenders() async throws {
        let db = try await TestDatabase.make(poolSize: 8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for batch in 0..<10 {
                        let events = (0..<25).map { Self.event(batch * 25 + $0, source: "writer\(writer)") }
                        _ = try await EventLog.append(events, pool: db.pool)
                    }
                }
            }
            try await group.waitForAll()
        }
        let report = try await db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(report.isIntact, "\(report)")
        #expect(report.checked == 8 * 10 * 25)
    }
}
