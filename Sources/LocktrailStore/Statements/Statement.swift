import LocktrailPostgres

/// A statement of `queries/` with its parameters and the type its rows decode to, in the manner
/// of postgres-nio's `PostgresPreparedStatement`: the type names its file, the initializer takes
/// the parameters (typed), `bindings` binds them in the order of `$1, $2, …`, and `Record`
/// decodes a row by column name.
package protocol Statement: Sendable {
    /// What one row decodes to (`NoRecord` for statements whose rows are not read).
    associatedtype Record: RowDecodable = NoRecord

    /// The file whose SQL this statement runs.
    static var file: QueryFile { get }

    /// The parameters, in placeholder order.
    var bindings: [PostgresValue] { get }
}

/// A `COPY … FROM STDIN` of `queries/`: the file, and how one record becomes the columns the
/// file lists, in that order.
package protocol CopyStatement: Sendable {
    /// What one copied row is made from.
    associatedtype Record

    /// The file whose `COPY` this statement runs.
    static var file: QueryFile { get }

    /// The fields of one row in the file's column order; nil is NULL.
    static func fields(_ record: Record) -> [String?]
}

/// The record of statements whose rows are not read (DDL, `UPDATE`, advisory locks).
package struct NoRecord: RowDecodable {
    package init(row: Row) throws {
        throw PostgresError(kind: .decoding, message: "this statement's rows are not meant to be read", context: row.query)
    }
}
