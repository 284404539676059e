public import Foundation

/// Where locktrail's database is: an explicit connection string, libpq's own variables, or the
/// private server. A configured database always wins over the private one.
public enum DatabaseConfiguration: Sendable, Equatable {
    /// A URL or `key=value` string from `--database` or `DATABASE_URL`.
    case explicit(String)
    /// libpq's `PG*` variables, service file and pgpass decide (empty conninfo).
    case libpqEnvironment
    /// Nothing is configured: locktrail's private server under this folder.
    case embedded(URL)

    /// The variables that, when set, mean the user configured libpq themselves.
    public static let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGSERVICE", "PGSERVICEFILE", "PGUSER"]

    /// Resolves `--database`, then `DATABASE_URL`, then `PG*` variables, then the private server.
    public static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> DatabaseConfiguration {
        if let flag, !flag.isEmpty { return .explicit(flag) }
        if let url = environment["DATABASE_URL"], !url.isEmpty { return .explicit(url) }
        if libpqVariables.contains(where: { environment[$0].map { !$0.isEmpty } ?? false }) { return .libpqEnvironment }
        return .embedded(EmbeddedPostgres.defaultDirectory(environment: environment))
    }
}
