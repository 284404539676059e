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

/// One pass over the text, writing as it reads. Allocation-free for the common document: keys are
/// compared as the input's bytes, the members of every open object share one array, and an
/// object is put in order in place through one reused buffer.
private struct TextRewriter {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var i = 0
    var out: [UInt8] = []
    /// The members read so far of the objects still open, innermost last.
    var members: [Member] = []
    /// Keys that had escapes, decoded (`Member.decoded` indexes here).
    var decodedKeys: [String] = []
    /// An object's bytes while they are written back in order.
    var scratch: [UInt8] = []
    /// An object's members' indices in key order, while it is put in order.
    var order: [Int] = []

    /// An object member: its key, and where the member (key, colon, value) was written in `out`.
    struct Member {
        /// The key's bytes in the input, between the quotes (when it has no escape).
        var keyStart: Int, keyEnd: Int
        /// A plain key's first eight bytes, big-endian, zero after its end: compared first.
        var prefix: UInt64
        /// Index in `decodedKeys` when the key had escapes, else -1.
        var decoded: Int
        /// Whether the key is ASCII without escapes: its bytes are then its UTF-16 code units.
        var plain: Bool
        var start: Int, end: Int
    }

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
        case UInt8(ascii: "\""): return string(isKey: false) != nil
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

    /// A string read by `string(isKey:)`: its contents' bounds in the input, and what they hold.
    struct StringToken {
        var start: Int, end: Int
        /// A key's decoded text's index in `decodedKeys` when it had escapes, else -1.
        var decoded: Int
        /// Whether it is ASCII without escapes.
        var plain: Bool
    }

    /// Copies a string: as it is when it has no escape (canonical escaping changes nothing
    /// then: a valid JSON string holds no control character, quote or backslash unescaped),
    /// otherwise decoded and re-escaped. Nil when it is not a valid string (unterminated, a
    /// control character, invalid UTF-8: the parser's to reject).
    mutating func string(isKey: Bool) -> StringToken? {
        let start = i
        i += 1
        var escaped = false, nonASCII = false
        // Eight bytes at a time while none is a quote, a backslash, a control character or
        // non-ASCII (each test may flag a word that has none; the loop below then looks closer).
        while i + 8 <= bytes.count {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            let quote = w ^ (ones &* UInt64(UInt8(ascii: "\""))), backslash = w ^ (ones &* UInt64(UInt8(ascii: "\\")))
            let flagged = (w | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)) & highs
            if flagged != 0 { break }
            i += 8
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { return nil }
            if c >= 0x80 {
                nonASCII = true
            } else if c == UInt8(ascii: "\\") {
                escaped = true
                i += 1
            }
            i += 1
        }
        guard i < bytes.count else { return nil }
        i += 1
        let token = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
        if !escaped {
            if nonASCII, String(validating: UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(i - 1)]), as: UTF8.self) == nil {
                return nil
            }
            out.append(contentsOf: token)
            return StringToken(start: start + 1, end: i - 1, decoded: -1, plain: !nonASCII)
        }
        guard let text = (try? JSONParser.parse(token))?.stringValue else { return nil }
        CanonicalJSON.appendString(text, to: &out)
        guard isKey else { return StringToken(start: start + 1, end: i - 1, decoded: -1, plain: false) }
        decodedKeys.append(text)
        return StringToken(start: start + 1, end: i - 1, decoded: decodedKeys.count - 1, plain: false)
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

    /// Writes the members in the order they come, separated by commas, then puts them in
    /// canonical order (keys by UTF-16 code units) in place, unless they already are.
    mutating func object(depth: Int) -> Bool {
        i += 1
        out.append(UInt8(ascii: "{"))
        let open = out.count
        let base = members.count
        _ = skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            out.append(UInt8(ascii: "}"))
            return true
        }
        while true {
            guard skipWhitespace(), i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return false }
            let start = out.count
            guard let key = string(isKey: true), skipWhitespace(), i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
            i += 1
            out.append(UInt8(ascii: ":"))
            guard value(depth: depth), skipWhitespace(), i < bytes.count else { return false }
            members.append(
                Member(
                    keyStart: key.start, keyEnd: key.end, prefix: prefix(key), decoded: key.decoded, plain: key.plain, start: start,
                    end: out.count))
            i += 1
            switch bytes[i - 1] {
            case UInt8(ascii: ","):
                out.append(UInt8(ascii: ","))
                continue
            case UInt8(ascii: "}"): break
            default: return false
            }
            break
        }
        defer { members.removeSubrange(base...) }
        let end = out.count
        out.append(UInt8(ascii: "}"))
        // A duplicate key is an error, as in the parser (keys equal as Strings, after sorting).
        var inOrder = true
        for k in (base + 1)..<max(base + 1, members.count) where !precedes(members[k - 1], members[k]) {
            inOrder = false
            break
        }
        if inOrder {
            for k in (base + 1)..<max(base + 1, members.count) where same(members[k - 1], members[k]) { return false }
            return true
        }
        // Indices of the members in key order: an insertion sort of integers for the usual few
        // members (no closure, nothing moved but an Int), the library's sort for many.
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: base..<members.count)
        if order.count <= 32 {
            for x in 1..<order.count {
                let v = order[x]
                var y = x
                while y > 0, precedes(members[v], members[order[y - 1]]) {
                    order[y] = order[y - 1]
                    y -= 1
                }
                order[y] = v
            }
        } else {
            var list = members  // sorted apart: the order reads self
            members = []
            list[base...].sort { precedes($0, $1) }
            members = list
            for k in order.indices { order[k] = base + k }
        }
        for k in order.indices.dropFirst() where same(members[order[k - 1]], members[order[k]]) { return false }
        // The region holds the members and the commas between them; in order it is as long.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: out[open..<end])
        var at = open
        for (k, index) in order.enumerated() {
            if k > 0 {
                out[at] = UInt8(ascii: ",")
                at += 1
            }
            let m = members[index]
            let length = m.end - m.start
            _ = out.withUnsafeMutableBufferPointer { target in
                scratch.withUnsafeBufferPointer { source in
                    UnsafeMutableBufferPointer(rebasing: target[at..<(at + length)])
                        .update(fromContentsOf: source[(m.start - open)..<(m.end - open)])
                }
            }
            at += length
        }
        return true
    }

    /// Whether key `a` sorts before key `b` by UTF-16 code units: compared as the input's bytes
    /// when both are ASCII without escapes, else as the decoded texts.
    func precedes(_ a: Member, _ b: Member) -> Bool {
        if a.plain, b.plain {
            // A plain key has no zero byte, so a shorter key's padding sorts it first, as it should.
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            let x = UnsafeRawBufferPointer(rebasing: bytes[a.keyStart..<a.keyEnd])
            let y = UnsafeRawBufferPointer(rebasing: bytes[b.keyStart..<b.keyEnd])
            for k in 0..<min(x.count, y.count) where x[k] != y[k] { return x[k] < y[k] }
            return x.count < y.count
        }
        return key(a).utf16.lexicographicallyPrecedes(key(b).utf16)
    }

    /// Whether two keys are the same, as Strings (the parser's test).
    func same(_ a: Member, _ b: Member) -> Bool {
        if a.plain, b.plain {
            return a.keyEnd - a.keyStart == b.keyEnd - b.keyStart
                && UnsafeRawBufferPointer(rebasing: bytes[a.keyStart..<a.keyEnd]).elementsEqual(
                    UnsafeRawBufferPointer(rebasing: bytes[b.keyStart..<b.keyEnd]))
        }
        return key(a) == key(b)
    }

    func prefix(_ key: StringToken) -> UInt64 {
        guard key.plain else { return 0 }
        var p: UInt64 = 0
        for k in 0..<8 { p = p << 8 | UInt64(key.start + k < key.end ? bytes[key.start + k] : 0) }
        return p
    }

    private func key(_ m: Member) -> String {
        m.decoded >= 0 ? decodedKeys[m.decoded] : String(decoding: UnsafeRawBufferPointer(rebasing: bytes[m.keyStart..<m.keyEnd]), as: UTF8.self)
    }
}
