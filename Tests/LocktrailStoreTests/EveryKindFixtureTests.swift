import Foundation
import LocktrailCore
import LocktrailCrypto
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Events of every kind as the code before the typed event model hashed them
/// (`Fixtures/events-every-kind.jsonl`, made by `EventFixtureCases` at commit 60224c0, in
/// encoding 1 and in encoding 2): stored as encoding 1 with their captured bytes' hashes, the
/// log verifies; appended by this code, they get the hashes of the captured bytes, and read back
/// from the database they encode to those bytes again.
@Suite("Events of every kind in the log: old hashes verify, new appends hash alike")
struct EveryKindFixtureTests {
    struct Line {
        var event: Event, encoding: EventEncoding, canonical: String, previousHash: String, hash: String
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/events-every-kind.jsonl")

    /// The fixture's lines in `encoding`, each event rebuilt from its canonical JSON, the first of
    /// each idempotency key only (the cases run some rules twice over one object: a log keeps one),
    /// chained anew in that order from the captured bytes.
    static func lines(_ encoding: EventEncoding) throws -> [Line] {
        var seen = Set<String>()
        var previous = [UInt8](repeating: 0, count: 32)
        return try allLines().filter { $0.encoding == encoding && seen.insert($0.event.key).inserted }.map { line in
            var line = line
            line.previousHash = Hex.encode(previous)
            previous = EventChain.hash(previous: previous, canonical: Array(line.canonical.utf8))
            line.hash = Hex.encode(previous)
            return line
        }
    }

    /// The fixture's lines, each event rebuilt from its canonical JSON.
    static func allLines() throws -> [Line] {
        try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map { row in
            let line = try JSONParser.parse(String(row))
            let e = try JSONParser.parse(line["canonical"]!.stringValue!)
            func text(_ name: String) -> String? { e[name]?.stringValue }
            let time: EventTime
            if let exact = e["time"]?["exact"]?.stringValue {
                time = .exact(Timestamp(parsing: exact)!)
            } else {
                time = .between(
                    after: e["time"]?["after"]?.stringValue.flatMap(Timestamp.init(parsing:)),
                    notAfter: Timestamp(parsing: e["time"]!["not_after"]!.stringValue!)!)
            }
            let event = Event(
                key: text("key")!, kind: EventKind(named: text("kind")!), source: text("source")!,
                mechanism: text("mechanism").map { Mechanism(rawValue: $0)! }, time: time,
                observedAt: Timestamp(parsing: text("observed_at")!)!, lockID: text("lock_id"), state: text("state"),
                workspace: text("workspace"), details: e["details"]!, raw: e["raw"] == .null ? nil : e["raw"])
            return Line(
                event: event, encoding: EventEncoding(rawValue: Int(line["encoding"]!.numberValue!))!,
                canonical: line["canonical"]!.stringValue!, previousHash: line["prev_hash"]!.stringValue!, hash: line["hash"]!.stringValue!)
        }
    }

    @Test("encoding-1 events of every kind, stored as they were hashed, verify")
    func storedVerify() async throws {
        let lines = try Self.lines(.v1)
        #expect(lines.count > 40)
        let db = try await TestDatabase.make()
        try await db.pool.withConnection { c in
            try c.copyIn(
                """
                COPY events (seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after,
                             observed_at, lock_id, state, workspace, details, raw, prev_hash, hash, encoding) FROM STDIN
                """
            ) { writer in
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
        let lines = try Self.lines(.current)
        let db = try await TestDatabase.make()
        _ = try await EventLog.append(lines.map(\.event), pool: db.pool)
        let stored = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 1000, on: $0) }
        #expect(stored.map { Hex.encode($0.hash) } == lines.map(\.hash))
        #expect(stored.map { Hex.encode($0.previousHash) } == lines.map(\.previousHash))
        // Read back from the database, each event still encodes to the bytes the old code hashed.
        for (event, line) in zip(stored, lines) {
            #expect(String(decoding: event.event.canonicalEncoding(in: event.encoding), as: UTF8.self) == line.canonical, "\(line.event.key)")
        }
        let report = try await db.pool.withConnection { try EventLog.verify(on: $0) }
        #expect(report.isIntact, "\(report)")
    }
}
