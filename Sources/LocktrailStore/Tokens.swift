import LocktrailCore
import LocktrailCrypto
import LocktrailPostgres

/// What a bearer token may do.
public enum TokenScope: String, Hashable, Sendable, CaseIterable {
    /// Ask the queries.
    case read
    /// Post hook events.
    case ingest
    /// Everything, including administration.
    case admin
}

/// A token as listed: never its secret.
public struct TokenInfo: Hashable, Sendable {
    /// Its ID.
    public var id: Int64
    /// Its unique name.
    public var name: String
    /// What it may do.
    public var scopes: Set<TokenScope>
    /// When it was created and revoked (as the database prints them).
    public var createdAt: String?, revokedAt: String?
}

/// Bearer tokens of the HTTP API. Only the SHA-256 of a secret is stored: a leaked database does
/// not leak working tokens. Secrets are 32 random bytes, so a plain hash is enough (no key stretching).
public enum Tokens {
    /// Creates a token and returns its secret, which is shown once and never stored.
    public static func create(name: String, scopes: Set<TokenScope>, on connection: PostgresConnection) throws -> String {
        guard !scopes.isEmpty else { throw QueryError(field: "scope", "a token needs at least one scope (read, ingest, admin).") }
        let secret = "lt_" + Hex.encode(Digest.randomBytes(32))
        let parameters: [PostgresValue] = [.string(name), .bytea(hash(secret)), .textArray(scopes.map(\.rawValue).sorted())]
        do throws(PostgresError) {
            try connection.run(NamedQuery("tokens_insert"), parameters)
        } catch {
            guard error.sqlState == "23505" else { throw error }
            throw QueryError(field: "name", "a token named '\(name)' already exists; revoke it or choose another name.")
        }
        return secret
    }

    /// The live token with this secret, or nil.
    public static func authenticate(secret: String, on connection: PostgresConnection) throws -> TokenInfo? {
        let r = try connection.run(NamedQuery("tokens_lookup"), [.bytea(hash(secret))])
        guard r.rowCount == 1, let id = r.int(0, 0), let name = r.string(0, 1) else { return nil }
        return TokenInfo(id: id, name: name, scopes: parseScopes(r.string(0, 2)), createdAt: nil, revokedAt: nil)
    }

    /// Every token, without secrets.
    public static func list(on connection: PostgresConnection) throws -> [TokenInfo] {
        let r = try connection.run(NamedQuery("tokens_list"))
        return (0..<r.rowCount).map { row in
            TokenInfo(id: r.int(row, 0) ?? 0, name: r.string(row, 1) ?? "", scopes: parseScopes(r.string(row, 2)),
                      createdAt: r.string(row, 3), revokedAt: r.string(row, 4))
        }
    }

    /// Revokes the token named `name`; false when there is no live token of that name.
    public static func revoke(name: String, on connection: PostgresConnection) throws -> Bool {
        try connection.run(NamedQuery("tokens_revoke"), [.string(name)]).rowCount == 1
    }

    /// The SHA-256 of a secret, as stored.
    public static func hash(_ secret: String) -> [UInt8] { Digest.sha256(secret) }

    static func parseScopes(_ text: String?) -> Set<TokenScope> {
        guard let text else { return [] }
        return Set(text.trimmingCharacters(in: ["{", "}"]).split(separator: ",").compactMap { TokenScope(rawValue: String($0)) })
    }
}
