import Foundation
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Events hashed with canonical encoding 1 keep verifying after migration 0005 switches new events
/// to encoding 2, and tampering is found in either kind.
@Suite("Canonical encoding versions in the event log")
struct EventEncodingTests {
    /// Three hook events (integers from 2^53 to 9e18, fractions, 1e21, 5e-7, -0 in `details` and
    /// `raw`) as encoding-1 locktrail (commit c40d577, the last before 0005) stored them through
    /// `POST /v1/hooks/events`, exported with `locktrail export --format jsonl` from its database
    /// at schema version 4 (`verify` there: intact, head 3:dc0cfdd2…).
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/events-encoding1.jsonl")

    /// A database at schema version 4 holding the fixture's rows as they were stored, then
    /// migrated to the latest schema; and the number of fixture events.
    static func upgradedDatabase() async throws -> (TestDatabase, Int) {
        let db = try await TestDatabase.make(migrated: false)
        let lines = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n")
        try await db.pool.withConnection { c in
            try Migrator.migrate(on: c, through: 4)
            // The rows exactly as the export shows them, in the columns schema 4 had.
            try c.copyIn(
                """
                COPY events (seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after,
                             observed_at, lock_id, state, workspace, details, raw, prev_hash, hash) FROM STDIN
                """
            ) { writer in
                for line in lines {
                    let o = try JSONParser.parse(String(line))
                    func text(_ name: String) -> String? { o[name]?.stringValue }
                    try writer.row([
                        String(Int64(o["seq"]!.numberValue!)), text("key"), text("kind"), text("source"), text("mechanism"),
                        text("occurred_at"), text("occurred_after"), text("occurred_not_after"), text("observed_at"),
                        text("lock_id"), text("state"), text("workspace"), CanonicalJSON.string(o["details"]!),
                        o["raw"] == .null ? nil : CanonicalJSON.string(o["raw"]!), "\\x" + text("prev_hash")!, "\\x" + text("hash")!,
                    ])
                }
            }
            try c.execute("UPDATE chain_head SET seq = (SELECT max(seq) FROM events), hash = (SELECT hash FROM events ORDER BY seq DESC LIMIT 1)")
            try Migrator.migrate(on: c)
        }
        return (db, lines.count)
    }

    /// Encoding-2 events with the same kinds of numbers, appended on top.
    static func newer(_ n: Int) -> Event {
        Event(
            key: "encoding2:\(n)", kind: .runHeartbeat, source: "hook", mechanism: .hook,
            time: .exact(Timestamp(microsecondsSinceEpoch: 1_795_000_000_000_000 + Int64(n))),
            observedAt: Timestamp(microsecondsSinceEpoch: 1_795_000_001_000_000), state: "fixture-bucket/app/terraform.tfstate",
            details: [
                "big": .number(1152921504606846976 + Double(n) * 1024), "negative_big": .number(-4611686018427387904),
                "fraction": 0.1, "tiny": 5e-7, "huge": 1e21, "n": .int(Int64(n)),
            ],
            raw: ["numbers": [.number(18014398509481985), 0.3333333333333333]])
    }

    @Test("encoding-1 events verify after the migration, and with encoding-2 events appended on top")
    func oldAndNewVerify() async throws {
        let (db, old) = try await Self.upgradedDatabase()
        let before = try await db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(before.isIntact, "\(before)")
        #expect(before.checked == Int64(old))

        _ = try await EventLog.append((1...3).map(Self.newer), pool: db.pool)
        let after = try await db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(after.isIntact, "\(after)")
        #expect(after.checked == Int64(old + 3))

        let stored = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 100, on: $0) }
        #expect(stored.map(\.encoding) == Array(repeating: .v1, count: old) + Array(repeating: .v2, count: 3))
        // Each hash is that of its own encoding and of no other: the fixture does hold numbers
        // whose two forms differ, and the new events are really written in encoding 2.
        for event in stored {
            let other: EventEncoding = event.encoding == .v1 ? .v2 : .v1
            #expect(EventChain.hash(previous: event.previousHash, event: event.event, encoding: event.encoding) == event.hash)
            #expect(EventChain.hash(previous: event.previousHash, event: event.event, encoding: other) != event.hash)
        }
        #expect(stored.first?.json["encoding"] == 1)
        #expect(stored.last?.json["encoding"] == 2)
    }

    @Test(
        "verify finds a change in an encoding-1 event and in an encoding-2 event",
        arguments: [
            ("UPDATE events SET details = jsonb_set(details, '{big}', '1152921504606848000') WHERE seq = 1", 1),
            ("UPDATE events SET details = jsonb_set(details, '{who}', '\"mallory@ci\"') WHERE seq = 3", 3),
            ("UPDATE events SET encoding = 2 WHERE seq = 2", 2),
            ("UPDATE events SET details = jsonb_set(details, '{big}', '1152921504606850000') WHERE seq = 4", 4),
            ("UPDATE events SET raw = jsonb_set(raw, '{numbers,1}', '0.3333333333333334') WHERE seq = 5", 5),
            ("UPDATE events SET encoding = 1 WHERE seq = 6", 6),
        ])
    func tampering(_ sql: String, _ seq: Int64) async throws {
        let (db, _) = try await Self.upgradedDatabase()
        _ = try await EventLog.append((1...3).map(Self.newer), pool: db.pool)
        try await db.superuser("ALTER TABLE events DISABLE TRIGGER USER; \(sql); ALTER TABLE events ENABLE TRIGGER USER")
        let report = try await db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(report.firstBreak?.kind == .altered, "\(report)")
        #expect(report.firstBreak?.seq == seq, "\(report)")
    }

    @Test("the migration keeps every existing row at encoding 1 and leaves new rows no default")
    func noDefault() async throws {
        let (db, _) = try await Self.upgradedDatabase()
        do {
            // A writer that forgot the column must fail, not record encoding 1 for an encoding-2 hash.
            try await db.superuser(
                """
                INSERT INTO events (seq, key, kind, source, observed_at, occurred_at, details, prev_hash, hash)
                SELECT 100, 'no-encoding', kind, source, observed_at, occurred_at, details, prev_hash, hash FROM events WHERE seq = 1
                """)
            Issue.record("a row without an encoding was stored")
        } catch let error as PostgresError {
            #expect(error.message.contains("encoding"), "\(error)")
        }
    }
}
