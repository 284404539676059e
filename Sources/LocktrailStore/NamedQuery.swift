import LocktrailPostgres

/// A SQL statement from `queries/` looked up by file name at run time. Superseded by the typed
/// statements (`Statement`, one per file, naming a generated `QueryFile` constant); only
/// `SourceStore` and `BackfillStore` still use it, until the collector moves behind the store.
public struct NamedQuery: Hashable, Sendable, CustomStringConvertible {
    /// The file name without `.sql`.
    public let name: String
    /// The statement text.
    public let sql: String

    /// The query in `queries/<name>.sql`. A missing name is a programming error, caught by tests.
    public init(_ name: String) {
        guard let sql = EmbeddedSQL.queries[name] else {
            preconditionFailure("queries/\(name).sql is not embedded in this build")
        }
        self.name = name
        self.sql = sql
    }

    /// Every query in `queries/`, by name.
    public static var all: [NamedQuery] { QueryFile.all.map { NamedQuery($0.name) } }

    public var description: String { name }
}

extension PostgresConnection {
    /// Runs a named query as a prepared statement with bound parameters.
    @discardableResult
    public func run(_ query: NamedQuery, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        try execute(prepared: query.name, sql: query.sql, parameters)
    }
}
