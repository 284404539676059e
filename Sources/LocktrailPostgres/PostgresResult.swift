internal import CLibPQ

/// A query result in text format, the single owner of its `PGresult`.
public final class PostgresResult: @unchecked Sendable {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    /// Number of rows returned.
    public var rowCount: Int { Int(PQntuples(handle)) }
    /// Number of columns.
    public var columnCount: Int { Int(PQnfields(handle)) }
    /// Rows affected by INSERT/UPDATE/DELETE (0 when not applicable).
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    /// The name of column `column`.
    public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }

    /// Index of the column named `name`.
    public func column(named name: String) -> Int? {
        let index = Int(PQfnumber(handle, name))
        return index >= 0 ? index : nil
    }

    /// Whether the value is SQL NULL.
    public func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    /// The value as text, nil for NULL.
    public func string(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column) else { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    /// The value as UTF-8 bytes, nil for NULL (no String round trip).
    public func bytes(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer? {
        guard !isNull(row, column) else { return nil }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return UnsafeRawBufferPointer(start: PQgetvalue(handle, Int32(row), Int32(column)), count: length)
    }

    /// The value as an integer, nil for NULL or non-integers.
    public func int(_ row: Int, _ column: Int) -> Int64? { string(row, column).flatMap { Int64($0) } }

    /// The value as a boolean (`t`/`f`), nil for NULL.
    public func bool(_ row: Int, _ column: Int) -> Bool? { string(row, column).map { $0 == "t" } }

    /// A `bytea` value (hex output format `\x…`), nil for NULL or other formats.
    public func bytea(_ row: Int, _ column: Int) -> [UInt8]? {
        guard let raw = bytes(row, column), raw.count >= 2, raw[0] == 0x5c, raw[1] == 0x78 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity((raw.count - 2) / 2)
        var i = 2
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        while i + 1 < raw.count {
            out.append(nibble(raw[i]) << 4 | nibble(raw[i + 1]))
            i += 2
        }
        return out
    }
}

/// A parameter value bound as text; `nil` text is SQL NULL.
public struct PostgresValue: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    /// The text form sent to the server.
    public var text: String?

    /// A value with this text form.
    public init(text: String?) { self.text = text }
    public init(stringLiteral value: String) { text = value }
    public init(integerLiteral value: Int) { text = String(value) }
    public init(nilLiteral: ()) { text = nil }

    /// SQL NULL.
    public static let null = PostgresValue(text: nil)
    /// A text value, NULL when nil.
    public static func string(_ s: String?) -> PostgresValue { PostgresValue(text: s) }
    /// An integer value, NULL when nil.
    public static func int(_ i: Int64?) -> PostgresValue { PostgresValue(text: i.map { String($0) }) }
    /// A boolean value, NULL when nil.
    public static func bool(_ b: Bool?) -> PostgresValue { PostgresValue(text: b.map { $0 ? "t" : "f" }) }
    /// A `bytea` value in hex format, NULL when nil.
    public static func bytea(_ bytes: [UInt8]?) -> PostgresValue {
        PostgresValue(text: bytes.map { "\\x" + hex($0) })
    }
    /// A `text[]` value, NULL when nil.
    public static func textArray(_ items: [String]?) -> PostgresValue {
        PostgresValue(
            text: items.map { list in
                // Bytes, not Characters: iterating Characters (grapheme breaking) dominated large key arrays.
                var out: [UInt8] = [UInt8(ascii: "{")]
                out.reserveCapacity(list.reduce(2) { $0 + $1.utf8.count + 3 })
                for (index, item) in list.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(UInt8(ascii: "\""))
                    for byte in item.utf8 {
                        if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { out.append(UInt8(ascii: "\\")) }
                        out.append(byte)
                    }
                    out.append(UInt8(ascii: "\""))
                }
                out.append(UInt8(ascii: "}"))
                return String(decoding: out, as: UTF8.self)
            })
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
