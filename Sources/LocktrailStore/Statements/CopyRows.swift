package import LocktrailPostgres

/// The rows of one `COPY`, written as records of its statement.
package struct CopyRows<S: CopyStatement> {
    let writer: CopyWriter

    /// Appends one row.
    package func append(_ record: S.Record) throws(PostgresError) { try writer.row(S.fields(record)) }
}
