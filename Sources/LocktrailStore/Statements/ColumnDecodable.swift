package import LocktrailCore
package import LocktrailPostgres

/// A Swift type one column's text decodes to.
package protocol ColumnDecodable {
    /// The value of the non-NULL column, nil when its text is not one.
    static func decode(_ result: PostgresResult, row: Int, column: Int) -> Self?
    /// What SQL NULL decodes to; nil when NULL is not allowed.
    static var sqlNull: Self? { get }
}

extension ColumnDecodable {
    package static var sqlNull: Self? { nil }
}

extension Optional: ColumnDecodable where Wrapped: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> Self? {
        Wrapped.decode(result, row: row, column: column).map { .some($0) }
    }
    package static var sqlNull: Self? { .some(.none) }
}

extension String: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> String? { result.string(row, column) }
}

extension Int64: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> Int64? { result.int(row, column) }
}

extension Int: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> Int? { result.int(row, column).map(Int.init) }
}

extension Double: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> Double? { result.string(row, column).flatMap(Double.init) }
}

extension Bool: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> Bool? { result.bool(row, column) }
}

extension Timestamp: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> Timestamp? {
        result.string(row, column).flatMap(Timestamp.init(parsing:))
    }
}

extension JSONValue: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> JSONValue? {
        guard let text = result.string(row, column) else { return nil }
        return try? JSONParser.parse(Array(text.utf8), maxDepth: 256)
    }
}

/// A `jsonb` (or JSON text) column as the canonical bytes `CanonicalJSON.encode` gives its value,
/// rewritten from the column's text without building a `JSONValue` (the list answers' items).
package struct CanonicalDocument: ColumnDecodable, Sendable {
    package var bytes: [UInt8]
    package init(bytes: [UInt8]) { self.bytes = bytes }
    /// The document parsed.
    package var value: JSONValue { (try? JSONParser.parse(bytes, maxDepth: 256)) ?? .null }

    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> CanonicalDocument? {
        guard let text = result.bytes(row, column) else { return nil }
        if let bytes = CanonicalJSON.canonicalize(text) { return CanonicalDocument(bytes: bytes) }
        return (try? JSONParser.parse(text, maxDepth: 256)).map { CanonicalDocument(bytes: CanonicalJSON.encode($0)) }
    }
}

/// `bytea` columns (hashes).
extension Array: ColumnDecodable where Element == UInt8 {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> [UInt8]? { result.bytea(row, column) }
}

/// A mechanism's name; one this locktrail does not know is an error naming the column.
extension Mechanism: ColumnDecodable {
    package static func decode(_ result: PostgresResult, row: Int, column: Int) -> Mechanism? {
        result.string(row, column).flatMap(Mechanism.init(rawValue:))
    }
}
