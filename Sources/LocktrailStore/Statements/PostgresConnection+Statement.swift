package import LocktrailPostgres

extension PostgresConnection {
    /// Runs `statement`, prepared once per connection under its file's name; returns the rows
    /// it affected.
    @discardableResult
    package func run<S: Statement>(_ statement: S) throws(PostgresError) -> Int {
        try execute(prepared: S.file.name, sql: S.file.sql, statement.bindings).affectedRows
    }

    /// Runs `statement` and returns its raw rows, for callers that read them leniently.
    package func rows<S: Statement>(of statement: S) throws(PostgresError) -> Rows {
        Rows(try execute(prepared: S.file.name, sql: S.file.sql, statement.bindings), query: S.file.name)
    }

    /// Runs `statement` and decodes every row.
    package func records<S: Statement>(_ statement: S) throws -> [S.Record] {
        try rows(of: statement).decode(S.Record.self)
    }

    /// Runs `statement` and decodes its first row, nil when there is none.
    package func first<S: Statement>(_ statement: S) throws -> S.Record? {
        let rows = try rows(of: statement)
        return try rows.first.map(S.Record.init(row:))
    }

    /// Runs `statement` through a server-side cursor, handing its rows to `body` in batches, so
    /// any number is read in constant memory. Must be inside a transaction.
    package func forEachBatch<S: Statement>(_ statement: S, batchSize: Int = 5000, _ body: (Rows) throws -> Void) throws {
        try forEachBatch(S.file.sql, statement.bindings, batchSize: batchSize, context: S.file.name) { batch in
            try body(Rows(batch, query: S.file.name))
        }
    }

    /// Streams the records `body` writes into `statement`'s `COPY … FROM STDIN`.
    package func copy<S: CopyStatement>(_ statement: S.Type, context: String, _ body: (CopyRows<S>) throws -> Void) throws {
        try copyIn(S.file.sql, context: context) { writer in try body(CopyRows(writer: writer)) }
    }
}
