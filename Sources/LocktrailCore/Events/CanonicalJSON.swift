/// RFC 8785 (JSON Canonicalization Scheme) serialisation: the exact bytes that are hashed into
/// the event chain. No whitespace, object keys sorted by their UTF-16 code units, strings with the
/// minimal escapes, numbers formatted as ECMAScript's `Number::toString` (see `NumberForm`).
public enum CanonicalJSON {
    /// How numbers are written. The hashed bytes depend on it, so an event is always re-encoded
    /// with the form it was written with (`EventEncoding`).
    public enum NumberForm: Hashable, Sendable {
        /// RFC 8785 §3.2.2.3 to the letter: ECMAScript's `Number::toString` of the IEEE-754 double.
        case rfc8785
        /// Event encoding 1: as `rfc8785`, except that integers below 9e18 in magnitude print
        /// all their digits.
        case encoding1
    }

    /// The canonical UTF-8 bytes of `value`.
    public static func encode(_ value: JSONValue, numbers: NumberForm = .rfc8785) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(value, numbers: numbers, to: &out)
        return out
    }

    /// The canonical text of `value`.
    public static func string(_ value: JSONValue, numbers: NumberForm = .rfc8785) -> String {
        String(decoding: encode(value, numbers: numbers), as: UTF8.self)
    }

    /// Appends the canonical form of `value` to `out`.
    public static func append(_ value: JSONValue, numbers: NumberForm = .rfc8785, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [0x6e, 0x75, 0x6c, 0x6c])
        case .bool(true): out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): out.append(contentsOf: [0x66, 0x61, 0x6c, 0x73, 0x65])
        case .number(let n): appendNumber(n, form: numbers, to: &out)
        case .string(let s): appendString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(element, numbers: numbers, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(members[key]!, numbers: numbers, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string with RFC 8785's escapes.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &out) }) == nil {
            var copy = s
            copy.makeContiguousUTF8()
            copy.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `bytes` with JSON escapes, copying runs that need none in bulk.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var start = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5c else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
            switch byte {
            case 0x22: out.append(contentsOf: [0x5c, 0x22])
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x08: out.append(contentsOf: [0x5c, UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0c: out.append(contentsOf: [0x5c, UInt8(ascii: "f")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            default:
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xf)]])
            }
            start = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    /// ECMAScript's `Number::toString` of a finite double (RFC 8785 §3.2.2.3), in `form`.
    public static func formatNumber(_ value: Double, form: NumberForm = .rfc8785) -> String {
        switch form {
        case .rfc8785:
            var out: [UInt8] = []
            appendECMAScriptNumber(value, to: &out)
            return String(decoding: out, as: UTF8.self)
        case .encoding1:
            return formatNumberEncoding1(value)
        }
    }

    static func appendNumber(_ value: Double, form: NumberForm, to out: inout [UInt8]) {
        switch form {
        case .rfc8785: appendECMAScriptNumber(value, to: &out)
        case .encoding1: out.append(contentsOf: formatNumberEncoding1(value).utf8)
        }
    }

    /// 2^53: below it every integer is a double and its digits are its shortest round-trip form.
    private static let exactIntegerLimit = 9_007_199_254_740_992.0

    /// Appends ECMAScript's `Number::toString(value)` (ECMA-262, Number::toString, radix 10).
    static func appendECMAScriptNumber(_ value: Double, to out: inout [UInt8]) {
        precondition(value.isFinite, "JSON cannot carry NaN or infinity")
        if value == 0 { out.append(UInt8(ascii: "0")); return }  // -0 too
        if value.magnitude < exactIntegerLimit, value == value.rounded(.towardZero) {
            // The common case (serials, exit codes, counts), without going through text.
            out.append(contentsOf: String(Int64(value)).utf8)
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // value = 0.d1d2…dk × 10^n, with d1…dk the shortest digits that round-trip (k, n as in ECMA-262).
        let (digits, n) = shortestDecimal(value.magnitude)
        let k = digits.count
        let zero = UInt8(ascii: "0")
        if k <= n && n <= 21 {
            // An integer: its digits, padded with zeros (1e20 → 100000000000000000000).
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(zero, count: n - k))
        } else if 0 < n && n <= 21 {
            // A decimal point inside the digits.
            out.append(contentsOf: digits[..<n])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            // Small, but not below 1e-6: leading zeros (0.000001).
            out.append(contentsOf: [zero, UInt8(ascii: ".")])
            out.append(contentsOf: repeatElement(zero, count: -n))
            out.append(contentsOf: digits)
        } else {
            // Exponent form from 1e21 up and below 1e-6: d[.ddd]e±x.
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(UInt8(ascii: n - 1 < 0 ? "-" : "+"))
            out.append(contentsOf: String(abs(n - 1)).utf8)
        }
    }

    /// The shortest decimal digits that round-trip to `value` (positive, finite) and the position
    /// `n` of the decimal point: `value` ≈ 0.d1d2…dk × 10^n with d1 ≠ 0 and dk ≠ 0. Swift's
    /// `description` already finds the shortest round-trip digits (the closest to the exact value
    /// when several are as short); only its layout (`1e-07`, `1.5e+16`, `100.0`) is taken apart here.
    static func shortestDecimal(_ value: Double) -> (digits: [UInt8], n: Int) {
        let text = Array(value.description.utf8)
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        var point: Int?
        var i = 0
        while i < text.count, text[i] != UInt8(ascii: "e"), text[i] != UInt8(ascii: "E") {
            if text[i] == UInt8(ascii: ".") { point = digits.count } else { digits.append(text[i]) }
            i += 1
        }
        var exponent = 0
        if i < text.count {
            i += 1
            var negative = false
            if text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") { negative = text[i] == UInt8(ascii: "-"); i += 1 }
            while i < text.count { exponent = exponent * 10 + Int(text[i] - UInt8(ascii: "0")); i += 1 }
            if negative { exponent = -exponent }
        }
        var n = (point ?? digits.count) + exponent
        // `0.001` gives 0001 with the point after the first digit; `100.0` gives 1000.
        var leading = 0
        while leading < digits.count - 1, digits[leading] == UInt8(ascii: "0") { leading += 1 }
        n -= leading
        var end = digits.count
        while end > leading + 1, digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
        return (Array(digits[leading..<end]), n)
    }

    /// The number form of event encoding 1, kept exactly as it was written so that events hashed
    /// with it still verify: integers below 9e18 in magnitude print every digit (`2^60` is
    /// `1152921504606846976`, where RFC 8785 prints `1152921504606847000`); other numbers as RFC 8785
    /// (the tests check that the two forms differ nowhere else).
    static func formatNumberEncoding1(_ value: Double) -> String {
        precondition(value.isFinite, "JSON cannot carry NaN or infinity")
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 9e18 { return String(Int64(value)) }
        // Shortest round-trip digits from Swift, reformatted by ECMAScript's rules.
        let negative = value < 0
        let text = String(abs(value))
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].replacing("+", with: ""))!
        }
        var digits: String
        var pointPosition: Int  // value = 0.digits × 10^pointPosition
        if let dot = mantissa.firstIndex(of: ".") {
            let intPart = mantissa[..<dot]
            let fracPart = mantissa[mantissa.index(after: dot)...]
            digits = String(intPart) + String(fracPart)
            pointPosition = intPart.count + exponent
        } else {
            digits = String(mantissa)
            pointPosition = mantissa.count + exponent
        }
        while digits.hasPrefix("0"), digits.count > 1 { digits.removeFirst(); pointPosition -= 1 }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        let k = digits.count, n = pointPosition
        var result: String
        if k <= n && n <= 21 {
            result = digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            result = String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        } else if -6 < n && n <= 0 {
            result = "0." + String(repeating: "0", count: -n) + digits
        } else {
            let e = n - 1
            let sign = e < 0 ? "-" : "+"
            result = String(digits.prefix(1)) + (k > 1 ? "." + String(digits.dropFirst()) : "") + "e" + sign + String(abs(e))
        }
        return negative ? "-" + result : result
    }
}
