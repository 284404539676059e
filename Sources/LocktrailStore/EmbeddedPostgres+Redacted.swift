import LocktrailPostgres

extension EmbeddedPostgres {
    /// The connection string with any password hidden, for printing: the CLI shows it without
    /// reaching into libpq's module.
    public var redactedConninfo: String { ConnectionString.redacted(conninfo) }
}
