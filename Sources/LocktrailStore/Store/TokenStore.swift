import LocktrailPostgres

/// Bearer tokens through the store.
public struct TokenStore: TokenAuthenticator {
    let pool: PostgresPool

    /// Creates a token and returns its secret, shown once and never stored.
    public func create(name: String, scopes: Set<TokenScope>) async throws -> String {
        try await pool.withConnection { try Tokens.create(name: name, scopes: scopes, on: $0) }
    }

    /// The live token with this secret, or nil.
    public func authenticate(secret: String) async throws -> TokenInfo? {
        try await pool.withConnection { try Tokens.authenticate(secret: secret, on: $0) }
    }

    /// Every token, without secrets.
    public func list() async throws -> [TokenInfo] {
        try await pool.withConnection { try Tokens.list(on: $0) }
    }

    /// Revokes the live token named `name`; false when there is none.
    public func revoke(name: String) async throws -> Bool {
        try await pool.withConnection { try Tokens.revoke(name: name, on: $0) }
    }
}
