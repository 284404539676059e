import Foundation
import LocktrailCore
import Testing

@Suite("RFC 8785 canonical JSON")
struct CanonicalJSONTests {
    // RFC 8785 Appendix B: IEEE-754 bit patterns and the text JCS writes for each (NaN and
    // Infinity, the table's two other rows, have no JSON form).
    static let appendixBVectors: [(UInt64, String)] = [
        (0x0000000000000000, "0"), (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"), (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"), (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"), (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"), (0x44b52d02c7e14af6, "1e+23"), (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"), (0x444b1ae4d6e2ef4f, "999999999999999900000"), (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"), (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"), (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"), (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"),
        (0xbecbf647612f3696, "-0.0000033333333333333333"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ]

    @Test("numbers: RFC 8785 Appendix B", arguments: appendixBVectors)
    func appendixB(_ bits: UInt64, _ expected: String) {
        #expect(CanonicalJSON.formatNumber(Double(bitPattern: bits)) == expected)
    }

    // ECMAScript's layout rules at their edges, and the integers from 2^53 up that encoding 1 wrote
    // with all their digits.
    @Test(
        "numbers: ECMAScript's Number::toString",
        arguments: [
            (1.0, "1"), (-1.0, "-1"), (4.5, "4.5"), (0.002, "0.002"), (100.0, "100"), (123.456, "123.456"),
            (1e30, "1e+30"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (123e18, "123000000000000000000"),
            (0.000001, "0.000001"), (1e-7, "1e-7"), (1.5e-10, "1.5e-10"), (5e-7, "5e-7"), (1.25e-6, "0.00000125"),
            (9007199254740993.0, "9007199254740992"), (9007199254740994.0, "9007199254740994"),
            (1152921504606846976.0, "1152921504606847000"), (-1152921504606846976.0, "-1152921504606847000"),
            (8999999999999999000.0, "8999999999999999000"), (9223372036854775807.0, "9223372036854776000"),
            (18446744073709551615.0, "18446744073709552000"), (0.1 + 0.2, "0.30000000000000004"),
        ])
    func ecmascript(_ value: Double, _ expected: String) {
        #expect(CanonicalJSON.formatNumber(value) == expected)
        #expect(CanonicalJSON.string(.number(value)) == expected)
    }

    // Encoding 1's form, exactly as events written with it were hashed.
    @Test(
        "numbers: encoding 1 keeps integers below 9e18 in full",
        arguments: [
            (0.0, "0"), (-0.0, "0"), (42.0, "42"), (4.5, "4.5"), (1e21, "1e+21"), (1e-7, "1e-7"),
            (9007199254740994.0, "9007199254740994"), (1152921504606846976.0, "1152921504606846976"),
            (-1152921504606846976.0, "-1152921504606846976"), (8999999999999999000.0, "8999999999999998976"),
            (9223372036854775807.0, "9223372036854776000"),
        ])
    func encoding1(_ value: Double, _ expected: String) {
        #expect(CanonicalJSON.formatNumber(value, form: .encoding1) == expected)
        #expect(CanonicalJSON.string(["n": .number(value)], numbers: .encoding1) == "{\"n\":\(expected)}")
    }

    /// The doubles compared with node: seeded (splitmix64), so a failure can be replayed. Raw bit
    /// patterns cover every exponent; integers and short decimals are where real details live.
    static func oracleSample(count: Int, seed: UInt64) -> [Double] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9e3779b97f4a7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
            z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
            return z ^ (z >> 31)
        }
        var values: [Double] = appendixBVectors.map { Double(bitPattern: $0.0) }
        while values.count < count {
            let r = next()
            let value: Double
            switch r % 4 {
            case 0, 1: value = Double(bitPattern: next())  // any double
            case 2: value = Double(next() >> (next() % 64)) * (r & 0x10 == 0 ? 1 : -1)  // integers, 2^53 to 2^64 included
            default:  // short decimals: 1 to 17 digits, point anywhere from 1e-12 to 1e25
                let digits = next() % 100_000_000_000_000_000
                value = Double(digits) * pow10(Int(next() % 38) - 30)
            }
            if value.isFinite { values.append(value) }
        }
        return values
    }

    static func pow10(_ e: Int) -> Double { Double("1e\(e)")! }

    static let node: String? =
        ["/usr/local/bin/node", "/usr/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { $0 + "/node" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    // node's JSON.stringify implements the same Number::toString: an independent oracle.
    @Test("numbers: 20,000 doubles agree with node's JSON.stringify", .enabled(if: node != nil, "node is not installed"))
    func oracle() throws {
        let values = Self.oracleSample(count: 20_000, seed: 0x5eed_8785)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jcs-oracle-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("bits.txt"), output = directory.appendingPathComponent("node.txt")
        try values.map { String($0.bitPattern, radix: 16) }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let script = """
            const fs = require("fs"); const view = new DataView(new ArrayBuffer(8));
            const out = fs.readFileSync(process.argv[1], "utf8").split("\\n").map(h => {
              view.setBigUint64(0, BigInt("0x" + h)); return JSON.stringify(view.getFloat64(0)); });
            fs.writeFileSync(process.argv[2], out.join("\\n"));
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.node!)
        process.arguments = ["-e", script, input.path, output.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let expected = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
        try #require(expected.count == values.count)
        var mismatches: [String] = []
        var encoding1Differs = 0
        for (value, js) in zip(values, expected) {
            let ours = CanonicalJSON.formatNumber(value)
            if ours != js { mismatches.append("\(String(value.bitPattern, radix: 16)): node \(js), locktrail \(ours)") }
            // Encoding 1 differs from JCS only for the integers it printed in full.
            if CanonicalJSON.formatNumber(value, form: .encoding1) != js {
                encoding1Differs += 1
                #expect(value == value.rounded() && value.magnitude >= 9007199254740992 && value.magnitude < 9e18, "\(js)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ, e.g. \(mismatches.prefix(5))")
        #expect(encoding1Differs > 0, "the sample must reach the integers where the two forms differ")
    }

    @Test("objects are sorted by UTF-16 code units, with no whitespace")
    func sorting() throws {
        // RFC 8785 §3.2.3's example: the surrogate pair of U+1F600 sorts before U+FB33.
        let value = try JSONParser.parse(
            #"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}"#
        )
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
        let input =
            #"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(CanonicalJSON.string(try JSONParser.parse(input)) == expected)
    }

    @Test("re-parsing the canonical form gives the same bytes")
    func stable() throws {
        let value: JSONValue = ["b": [1, 2.5, "x"], "a": ["z": nil, "y": true]]
        let once = CanonicalJSON.encode(value)
        #expect(CanonicalJSON.encode(try JSONParser.parse(once)) == once)
    }

    @Test(
        "the parser refuses what is not JSON",
        arguments: [
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
