/// A JSON value, as read from lock records and event details and as hashed into the chain.
///
/// Objects are unordered: RFC 8785 canonicalisation sorts keys, so insertion order never
/// influences a hash. Numbers are IEEE doubles, as I-JSON and RFC 8785 require.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number, if this is one.
    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The member `key`, if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// A copy in which every string and key has U+0000 replaced by U+FFFD: PostgreSQL's text and
    /// jsonb cannot store NUL, and what is hashed must be what is stored.
    public var storable: JSONValue {
        switch self {
        case .string(let s): return .string(s.storable)
        case .array(let a): return .array(a.map(\.storable))
        case .object(let o):
            var out: [String: JSONValue] = [:]
            for (k, v) in o { out[k.storable] = v.storable }
            return .object(out)
        default: return self
        }
    }
}

extension String {
    /// This string with U+0000 replaced by U+FFFD (PostgreSQL text cannot hold NUL).
    public var storable: String {
        utf8.contains(0) ? String(unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) }) : self
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// `.string(value)` or `.null` when nil.
    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// `.number` of an integer.
    public static func int(_ value: Int64) -> JSONValue { .number(Double(value)) }
}
