package import LocktrailPostgres

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
