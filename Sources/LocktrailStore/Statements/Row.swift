package import LocktrailPostgres

/// One row of a result, read by column name: a statement's SQL may list its columns in any
/// order, and a renamed or missing column is an error that names it, never a wrong value.
package struct Row {
    let result: PostgresResult
    let index: Int
    let columns: ColumnIndex

    /// The query the row came from, for error messages.
    package var query: String { columns.query }

    /// Whether the result has a column `name` (for records that some statements select in part).
    package func hasColumn(_ name: String) -> Bool { columns.indexes[name] != nil }

    /// Column `name` as `T`. NULL is accepted only when `T` is optional.
    package func decode<T: ColumnDecodable>(_ name: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard let column = columns.indexes[name] else {
            throw PostgresError(kind: .decoding, message: "the result has no column '\(name)'", context: query)
        }
        if result.isNull(index, column) {
            guard let null = T.sqlNull else {
                throw PostgresError(kind: .decoding, message: "column '\(name)' is NULL", context: query)
            }
            return null
        }
        guard let value = T.decode(result, row: index, column: column) else {
            throw PostgresError(kind: .decoding, message: "column '\(name)' holds an unreadable \(T.self)", context: query)
        }
        return value
    }

    /// Shorthand for `decode(name)`.
    package subscript<T: ColumnDecodable>(_ name: String, as type: T.Type = T.self) -> T {
        get throws(PostgresError) { try decode(name, as: type) }
    }
}
