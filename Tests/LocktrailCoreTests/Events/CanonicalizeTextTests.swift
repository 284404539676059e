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
}
