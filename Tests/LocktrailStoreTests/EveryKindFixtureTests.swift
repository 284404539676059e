import Foundation
import LocktrailCore
import LocktrailCrypto
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Events of every kind as the code before the typed event model hashed them
/// (`Fixtures/events-every-kind.jsonl`, made by `EventFixtureCases` at commit 60224c0, in
/// encoding 1 and in encoding 2): stored, the log still verifies; appended by this code, they
/// get the very same hashes.
@Suite("Events of every kind in the log: old hashes verify, new appends hash alike")
struct EveryKindFixtureTests {
    struct Line {
        var event: Event, encoding: EventEncoding, previousHash: String, hash: String
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/events-every-kind.jsonl")

    /// The fixture's lines, each event rebuilt from its canonical JSON.
    static func lines() throws -> [Line] {
        try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map { row in
            let line = try JSONParser.parse(String(row))
            let e = try JSONParser.parse(line["canonical"]!.stringValue!)
            func text(_ name: String) -> String? { e[name]?.stringValue }
            let time: EventTime
            if let exact = e["time"]?["exact"]?.stringValue {
                time = .exact(Timestamp(parsing: exact)!)
            } else {
                time = .between(after: e["time"]?["after"]?.stringValue.flatMap(Timestamp.init(parsing:)),
                                notAfter: Timestamp(parsing: e["time"]!["not_after"]!.stringValue!)!)
            }
            let event = Event(
                key: text("key")!, kind: EventKind(named: text("kind")!), source: text("source")!,
                mechanism: text("mechanism").map { Mechanism(rawValue: $0)! }, time: time,
                observedAt: Timestamp(parsing: text("observed_at")!)!, lockID: text("lock_id"), state: text("state"),
                workspace: text("workspace"), details: e["details"]!, raw: e["raw"] == .null ? nil : e["raw"])
            return Line(event: event, encoding: EventEncoding(rawValue: Int(line["encoding"]!.numberValue!))!,
                        previousHash: line["prev_hash"]!.stringValue!, hash: line["hash"]!.stringValue!)
        }
    }

    @Test("encoding-1 events of every kind, stored as they were hashed, verify")
    func storedVerify() async throws {
        let lines = try Self.lines().filter { $0.encoding == .v1 }
        #expect(lines.count > 40)
        let db = try await TestDatabase.make()
        try await db.pool.withConnection { c in
            try c.copyIn("""
                COPY events (seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after,
                             observed_at, lock_id, state, workspace, details, raw, prev_hash, hash, encoding) FROM STDIN
                """) { writer in
                for (i, line) in lines.enumerated() {
                    let e = line.event
                    var at: String?, after: String?, notAfter: String?
                    switch e.time {
                    case .exact(let t): at = t.rfc3339
                    case .between(let a, let n): (after, notAfter) = (a?.rfc3339, n.rfc3339)
                    }
                    try writer.row([
                        String(i + 1), e.key, e.kind.rawValue, e.source, e.mechanism?.rawValue, at, after, notAfter,
                        e.observedAt.rfc3339, e.lockID, e.state, e.workspace, CanonicalJSON.string(e.details),
                        e.raw.map { CanonicalJSON.string($0) }, "\\x" + line.previousHash, "\\x" + line.hash, "1",
                    ])
                }
            }
            try c.execute("UPDATE chain_head SET seq = (SELECT max(seq) FROM events), hash = (SELECT hash FROM events ORDER BY seq DESC LIMIT 1)")
        }
        let report = try await db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(report.isIntact, "\(report)")
        #expect(report.checked == Int64(lines.count))
    }

    @Test("events of every kind appended now get the hashes the old code gave them")
    func appendedHashAlike() async throws {
        let lines = try Self.lines().filter { $0.encoding == .current }
        let db = try await TestDatabase.make()
        _ = try await EventLog.append(lines.map(\.event), pool: db.pool)
        let stored = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 1000, on: $0) }
        #expect(stored.map { Hex.encode($0.hash) } == lines.map(\.hash))
        #expect(stored.map { Hex.encode($0.previousHash) } == lines.map(\.previousHash))
        let report = try await db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(report.isIntact, "\(report)")
    }
}
