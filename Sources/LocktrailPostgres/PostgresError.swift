import Foundation

/// An error from PostgreSQL or libpq. `description` is one sentence a user can act on and never
/// contains a password; `debugDescription` adds the server's detail and hint.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Where the failure happened.
    public enum Kind: String, Sendable {
        /// Could not connect (wrong URL, server down, authentication).
        case connection
        /// The server rejected a statement; `sqlState` says why.
        case server
        /// The connection broke while a statement ran.
        case connectionLost
        /// A COPY could not be completed.
        case copy
        /// The result had a shape the caller did not expect.
        case decoding
    }

    /// Where the failure happened.
    public var kind: Kind
    /// The SQLSTATE code, for server errors (e.g. `23505` unique violation).
    public var sqlState: String?
    /// The primary message from the server or libpq.
    public var message: String
    /// The server's DETAIL, if any.
    public var detail: String?
    /// The server's HINT, if any.
    public var hint: String?
    /// The constraint violated, if any.
    public var constraint: String?
    /// What locktrail was doing: a named query, "connect", "COPY INTO events", ….
    public var context: String?

    /// An error of `kind` with `message`.
    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, context: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.context = context
    }

    /// Whether retrying on a new connection may succeed (connection failures, serialization
    /// failures, deadlocks, admin shutdown).
    public var isTransient: Bool {
        switch kind {
        case .connection, .connectionLost: return true
        case .server:
            guard let s = sqlState else { return false }
            return s == "40001" || s == "40P01" || s.hasPrefix("08") || s == "57P01" || s == "57P02" || s == "57P03"
        case .copy, .decoding: return false
        }
    }

    public var description: String {
        let what = context.map { " (\($0))" } ?? ""
        switch kind {
        case .connection:
            return
                "cannot connect to PostgreSQL: \(message)\(what). Check --database, DATABASE_URL or the PG* variables, and that the server is running."
        case .connectionLost:
            return "the connection to PostgreSQL was lost\(what): \(message)"
        case .server:
            let code = sqlState.map { " [SQLSTATE \($0)]" } ?? ""
            return "PostgreSQL rejected a statement\(what): \(message)\(code)"
        case .copy:
            return "bulk COPY failed\(what): \(message)"
        case .decoding:
            return "unexpected result from PostgreSQL\(what): \(message)"
        }
    }

    public var debugDescription: String {
        var s = description
        if let detail { s += "\nDETAIL: \(detail)" }
        if let hint { s += "\nHINT: \(hint)" }
        if let constraint { s += "\nCONSTRAINT: \(constraint)" }
        return s
    }
}
