import LocktrailPostgres

/// The record of statements whose rows are not read (DDL, `UPDATE`, advisory locks).
package struct NoRecord: RowDecodable {
    package init(row: Row) throws {
        throw PostgresError(kind: .decoding, message: "this statement's rows are not meant to be read", context: row.query)
    }
}
