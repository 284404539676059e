import LocktrailPostgres

/// The rows of one result, or of one batch of a cursor.
package struct Rows: RandomAccessCollection {
    let result: PostgresResult
    let columns: ColumnIndex

    init(_ result: PostgresResult, query: String) {
        self.result = result
        columns = ColumnIndex(result, query: query)
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { result.rowCount }
    package subscript(position: Int) -> Row { Row(result: result, index: position, columns: columns) }

    /// Whether the result has a column `name`.
    package func hasColumn(_ name: String) -> Bool { columns.indexes[name] != nil }

    /// Every row as `R`.
    package func decode<R: RowDecodable>(_ type: R.Type = R.self) throws -> [R] { try map(R.init(row:)) }
}
