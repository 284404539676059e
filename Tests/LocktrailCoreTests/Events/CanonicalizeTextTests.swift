import LocktrailCore
import Testing

@Suite("Canonical JSON rewritten from text")
struct CanonicalizeTextTests {
    // PostgreSQL's jsonb output (spaces, keys by length first), escapes, numbers in every
    // form, nesting, non-ASCII keys whose UTF-16 order differs from UTF-8's.
    static let texts: [String] = [
        #"{"b": 1, "aa": [1, 2.50, -0, 1e3, 1.5E-7, 123456789012345678], "ccc": {"z": null, "y": true, "x": false}}"#,
        #"{"note": "quote \" backslash \\ tab \t nl \n \u0001 \u00e9 \/ \ud83d\ude00", "e": "é", "\u0061": 2}"#,
        #"[]"#, #"{}"#, #"  [ {} , [ ] , "" , 0 ]  "#, #""plain""#, #"-12"#, #"0.1"#,
        #"{"\ud800\udc00": 1, "\uffff": 2, "é": 3, "e": 4}"#,
        #"{"evidence": [{"seq": 12, "kind": "lock.acquired", "details": {"who": "alice@host", "serial": 7}}], "lock_id": "x"}"#,
    ]

    @Test("gives the bytes parse then encode give", arguments: texts)
    func sameAsParseAndEncode(_ text: String) throws {
        let expected = CanonicalJSON.encode(try JSONParser.parse(text))
        #expect(CanonicalJSON.canonicalize(text) == expected)
    }

    @Test(
        "rejects what is not JSON",
        arguments: [#"{"a": }"#, #"[1, 2"#, #"{"a" 1}"#, "tru", #""unterminated"#, #"{"a": 1, "b": {"a": 3, "a": 4}}"#, "1 2", ""])
    func rejects(_ text: String) {
        #expect(CanonicalJSON.canonicalize(text) == nil)
    }

    @Test("rejects nesting past maxDepth")
    func depth() {
        #expect(CanonicalJSON.canonicalize("[[[1]]]", maxDepth: 2) == nil)
        #expect(CanonicalJSON.canonicalize("[[[1]]]", maxDepth: 3) != nil)
    }

    /// Long strings and keys: the eight-bytes-at-a-time scan and the keys' eight-byte prefixes,
    /// with the characters that stop the scan at every offset, keys that share long prefixes,
    /// and keys that are prefixes of others.
    @Test("long strings and keys sharing prefixes give the bytes parse then encode give")
    func longStringsAndKeys() throws {
        let pieces = [
            "a", "Z", "0", " ", "/", "\\\"", "\\\\", "\\n", "\\u0001", "\\u00e9", "é", "😀", "\u{E000}", "\\ud83d\\ude00", "~",
        ]
        var seed: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        func text(_ length: Int) -> String { (0..<length).map { _ in next(4) == 0 ? pieces[next(pieces.count)] : "x" }.joined() }
        let stems = ["occurred_", "possible_from_and_", "k", ""]
        for _ in 0..<300 {
            var members: [String] = []
            var keys = Set<String>()
            for _ in 0..<next(12) {
                let key = stems[next(stems.count)] + text(next(14))
                guard (try? JSONParser.parse(Array("\"\(key)\"".utf8))) != nil, keys.insert(key).inserted else { continue }
                members.append("\"\(key)\": \"\(text(next(40)))\"")
            }
            let json = "{" + members.joined(separator: ", ") + "}"
            guard let value = try? JSONParser.parse(json) else { continue }
            #expect(CanonicalJSON.canonicalize(json) == CanonicalJSON.encode(value), "\(json)")
        }
        // An object of many members (sorted by the library's sort rather than by insertion).
        let many = "{" + (0..<40).reversed().map { "\"member_key_\($0 % 7)_\($0)\": [\($0), {\"b\": 1, \"a\": 2}]" }.joined(separator: ", ") + "}"
        #expect(CanonicalJSON.canonicalize(many) == CanonicalJSON.encode(try JSONParser.parse(many)))
        // What the scan must stop at, past the first eight bytes: a raw control character, invalid UTF-8.
        #expect(CanonicalJSON.canonicalize("\"abcdefghijkl\u{01}mnop\"") == nil)
        let invalid: [UInt8] = Array("\"abcdefghijkl".utf8) + [0xC3, 0x28] + Array("mnop\"".utf8)
        #expect(invalid.withUnsafeBytes { CanonicalJSON.canonicalize($0) } == nil)
        #expect(CanonicalJSON.canonicalize(#"{"occurred_after_x": 1, "occurred_after": 2, "occurred_after_x": 3}"#) == nil)
    }
}
