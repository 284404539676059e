import LocktrailPostgres

/// A result's column indexes by name, looked up once per result rather than once per value.
final class ColumnIndex {
    let indexes: [String: Int]
    let query: String

    init(_ result: PostgresResult, query: String) {
        var indexes: [String: Int] = [:]
        // The first of two equal names wins, as in libpq's PQfnumber.
        for column in 0..<result.columnCount where indexes[result.columnName(column)] == nil {
            indexes[result.columnName(column)] = column
        }
        self.indexes = indexes
        self.query = query
    }
}
