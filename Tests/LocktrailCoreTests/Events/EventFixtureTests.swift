import Foundation
import LocktrailCore
import LocktrailCrypto
import Testing

/// The events every rule builds are byte for byte those the code before the typed event model
/// built (commit 60224c0's, captured in the fixture): same canonical JSON in both encodings,
/// same chain hashes. A change that moved one member, or wrote null where it left one out,
/// would change the hash of every event recorded after it.
@Suite("Events of every kind encode as they always did")
struct EventFixtureTests {
    struct Line: Sendable {
        var name: String, encoding: EventEncoding, canonical: String, previousHash: String, hash: String
    }

    /// `Tests/LocktrailStoreTests/Fixtures/events-every-kind.jsonl`: the cases in encoding 1, then
    /// in encoding 2, each a chain of its own from the zero hash (as a fresh log's).
    static let lines: [Line] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LocktrailStoreTests/Fixtures/events-every-kind.jsonl")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONParser.parse(String(line)), let name = o["name"]?.stringValue,
                let number = o["encoding"]?.numberValue, let encoding = EventEncoding(rawValue: Int(number)),
                let canonical = o["canonical"]?.stringValue, let previous = o["prev_hash"]?.stringValue,
                let hash = o["hash"]?.stringValue
            else { return nil }
            return Line(name: name, encoding: encoding, canonical: canonical, previousHash: previous, hash: hash)
        }
    }()

    @Test("the fixture covers every registered kind, in both encodings")
    func coverage() {
        let cases = EventFixtureCases.all()
        #expect(Self.lines.count == cases.count * EventEncoding.allCases.count)
        #expect(Set(cases.map(\.event.kind)) == Set(EventKind.registry))
        #expect(Set(cases.map(\.name)).count == cases.count, "case names are unique")
    }

    @Test("each case encodes to the captured bytes and chains to the captured hashes")
    func sameBytesSameHashes() {
        let cases = EventFixtureCases.all()
        var index = 0
        for encoding in EventEncoding.allCases {
            var previous = [UInt8](repeating: 0, count: 32)
            for (name, event) in cases {
                guard index < Self.lines.count else { Issue.record("fixture ends before \(name)"); return }
                let line = Self.lines[index]
                index += 1
                #expect(line.name == name)
                #expect(line.encoding == encoding)
                #expect(String(decoding: event.canonicalEncoding(in: encoding), as: UTF8.self) == line.canonical, "\(name) in \(encoding)")
                #expect(Hex.encode(previous) == line.previousHash, "\(name)")
                previous = EventChain.hash(previous: previous, event: event, encoding: encoding)
                #expect(Hex.encode(previous) == line.hash, "\(name) in \(encoding)")
            }
        }
    }
}
