import LocktrailCore
import Testing

@Suite("RFC 8785 canonical JSON")
struct CanonicalJSONTests {
    // Number serialisation vectors from RFC 8785 Appendix B and ECMAScript's rules.
    @Test("numbers", arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.0, "-1"), (4.5, "4.5"), (0.002, "0.002"),
        (1e30, "1e+30"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (0.000001, "0.000001"),
        (1e-7, "1e-7"), (333333333.33333329, "333333333.3333333"), (9007199254740992.0, "9007199254740992"),
        (-5e-324, "-5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (295147905179352830000.0, "295147905179352830000"),
        (123.456, "123.456"), (1.5e-10, "1.5e-10"),
    ])
    func numbers(_ value: Double, _ expected: String) {
        #expect(CanonicalJSON.formatNumber(value) == expected)
    }

    @Test("objects are sorted by UTF-16 code units, with no whitespace")
    func sorting() throws {
        // RFC 8785 §3.2.3's example: the surrogate pair of U+1F600 sorts before U+FB33.
        let value = try JSONParser.parse(#"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}"#)
        let keys = CanonicalJSON.string(value)
        let order = ["\r", "1", "\u{80}", "\u{f6}", "\u{20ac}", "\u{1F600}", "\u{fb33}"]
        var last = keys.startIndex
        for key in order {
            let r = try #require(keys.range(of: "\"" + key.replacingOccurrences(of: "\r", with: "\\r") + "\"", range: last..<keys.endIndex))
            last = r.upperBound
        }
        #expect(!keys.contains(" :") && !keys.contains(", "))
    }

    @Test("strings use the minimal escapes")
    func strings() {
        #expect(CanonicalJSON.string(.string("a\"b\\c\n\t\u{1}/\u{2028}é")) == "\"a\\\"b\\\\c\\n\\t\\u0001/\u{2028}é\"")
    }

    @Test("the RFC's sample object")
    func sample() throws {
        let input = #"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(CanonicalJSON.string(try JSONParser.parse(input)) == expected)
    }

    @Test("re-parsing the canonical form gives the same bytes")
    func stable() throws {
        let value: JSONValue = ["b": [1, 2.5, "x"], "a": ["z": nil, "y": true]]
        let once = CanonicalJSON.encode(value)
        #expect(CanonicalJSON.encode(try JSONParser.parse(once)) == once)
    }

    @Test("the parser refuses what is not JSON", arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "\"\\x\"", "\"\u{1}\"", "nul", "{\"a\":1}x", "\"\\ud800\"", "1e999",
    ])
    func refuses(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("nesting is bounded")
    func depth() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(deep.utf8), maxDepth: 64) }
    }
}
