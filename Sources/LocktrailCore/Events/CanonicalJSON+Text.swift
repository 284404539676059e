extension CanonicalJSON {
    /// Rewrites valid JSON text (such as PostgreSQL's `jsonb` output, with its spaces and its
    /// length-first key order) into the bytes `encode(JSONParser.parse(text))` gives, without
    /// building a `JSONValue`: whitespace dropped, object members sorted, numbers and escaped
    /// strings written in canonical form, other strings copied as they are. Nil when the text
    /// is not JSON or nests deeper than `maxDepth`; callers then parse it.
    public static func canonicalize(_ text: UnsafeRawBufferPointer, maxDepth: Int = 256) -> [UInt8]? {
        var rewriter = TextRewriter(bytes: text, maxDepth: maxDepth)
        rewriter.out.reserveCapacity(text.count)
        guard rewriter.value(depth: 0), rewriter.skipWhitespace(), rewriter.i == text.count else { return nil }
        return rewriter.out
    }

    /// `canonicalize` of a string's UTF-8.
    public static func canonicalize(_ text: String, maxDepth: Int = 256) -> [UInt8]? {
        var copy = text
        return copy.withUTF8 { canonicalize(UnsafeRawBufferPointer($0), maxDepth: maxDepth) }
    }
}

private struct TextRewriter {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var i = 0
    var out: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) { (self.bytes, self.maxDepth) = (bytes, maxDepth) }

    /// Skips whitespace; always true, to chain in guards.
    mutating func skipWhitespace() -> Bool {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0a || bytes[i] == 0x0d || bytes[i] == 0x09 { i += 1 }
        return true
    }

    mutating func value(depth: Int) -> Bool {
        _ = skipWhitespace()
        guard i < bytes.count, depth <= maxDepth else { return false }
        switch bytes[i] {
        case UInt8(ascii: "{"): return object(depth: depth + 1)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { return false }
        out.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: count))
        i += count
        return true
    }

    /// Copies a number in canonical form (the parser's reading of it, then `appendNumber`).
    mutating func number() -> Bool {
        let start = i
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
                UInt8(ascii: "E"):
                i += 1
            default:
                return finishNumber(start)
            }
        }
        return finishNumber(start)
    }

    private mutating func finishNumber(_ start: Int) -> Bool {
        // The common case: a short integer without sign or leading zero is its own canonical form.
        let digits = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
        if digits.count <= 15, digits.count > 0, digits[0] != UInt8(ascii: "0") || digits.count == 1,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        {
            out.append(contentsOf: digits)
            return true
        }
        guard i > start, let value = try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<i])).numberValue else {
            return false
        }
        CanonicalJSON.appendNumber(value, form: .rfc8785, to: &out)
        return true
    }

    /// Copies a string: as it is when it has no escape (canonical escaping changes nothing
    /// then: a valid JSON string holds no control character, quote or backslash unescaped),
    /// otherwise decoded and re-escaped. Returns the decoded text for keys' order.
    mutating func string() -> String? {
        let start = i
        i += 1
        var escaped = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { return nil }
            if c == UInt8(ascii: "\\") {
                escaped = true
                i += 1
            }
            i += 1
        }
        guard i < bytes.count else { return nil }
        i += 1
        let token = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
        if !escaped {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(i - 1)])
            // Invalid UTF-8 is the parser's to reject.
            guard let text = String(validating: raw, as: UTF8.self) else { return nil }
            out.append(contentsOf: token)
            return text
        }
        guard let text = (try? JSONParser.parse(token))?.stringValue else { return nil }
        CanonicalJSON.appendString(text, to: &out)
        return text
    }

    mutating func array(depth: Int) -> Bool {
        i += 1
        out.append(UInt8(ascii: "["))
        _ = skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            out.append(UInt8(ascii: "]"))
            return true
        }
        while true {
            guard value(depth: depth), skipWhitespace(), i < bytes.count else { return false }
            i += 1
            switch bytes[i - 1] {
            case UInt8(ascii: ","): out.append(UInt8(ascii: ","))
            case UInt8(ascii: "]"):
                out.append(UInt8(ascii: "]"))
                return true
            default: return false
            }
        }
    }

    /// Writes the members in the order they come, then puts them in canonical order (keys by
    /// UTF-16 code units).
    mutating func object(depth: Int) -> Bool {
        i += 1
        out.append(UInt8(ascii: "{"))
        let open = out.count
        var members: [(key: String, range: Range<Int>)] = []
        _ = skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            out.append(UInt8(ascii: "}"))
            return true
        }
        while true {
            guard skipWhitespace(), i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return false }
            let start = out.count
            guard let key = string(), skipWhitespace(), i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
            i += 1
            out.append(UInt8(ascii: ":"))
            guard value(depth: depth), skipWhitespace(), i < bytes.count else { return false }
            members.append((key, start..<out.count))
            i += 1
            switch bytes[i - 1] {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): break
            default: return false
            }
            break
        }
        // A duplicate key is an error, as in the parser.
        members.sort { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
        for k in members.indices.dropFirst() where members[k].key == members[k - 1].key { return false }
        let sorted = members
        let written = Array(out[open...])
        out.removeSubrange(open...)
        for (index, member) in sorted.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: written[(member.range.lowerBound - open)..<(member.range.upperBound - open)])
        }
        out.append(UInt8(ascii: "}"))
        return true
    }
}
