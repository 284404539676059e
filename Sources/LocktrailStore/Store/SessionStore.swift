public import LocktrailCore
import LocktrailCrypto
import LocktrailPostgres

/// A live web session: the token that logged in and the anti-forgery value of its forms.
public struct WebSession: Sendable, Hashable {
    /// The token the session belongs to (live: a revoked token has no sessions).
    public var token: TokenInfo
    /// The value every form of this session must send back (`csrf`).
    public var csrf: String
    /// When it expires.
    public var expiresAt: Timestamp
}

/// Web sessions, in PostgreSQL so every `serve` replica honours them. Only the SHA-256 of a
/// session secret is stored; a lookup requires the session's token to be live, so revoking the
/// token ends its sessions immediately (sessions are never cached).
public struct SessionStore: Sendable {
    let pool: PostgresPool

    /// Starts a session of `token` living `lifetimeSeconds`; returns its secret (the cookie) and the session.
    public func create(token: TokenInfo, lifetimeSeconds: Int64) async throws -> (secret: String, session: WebSession) {
        let secret = "lts_" + Hex.encode(Digest.randomBytes(32))
        let csrf = Hex.encode(Digest.randomBytes(16))
        let insert = WebStatements.SessionInsert(
            secretHash: Tokens.hash(secret), tokenID: token.id, csrf: csrf, lifetimeSeconds: lifetimeSeconds)
        let expires = try await pool.withConnection { connection in
            try connection.first(insert)?.expiresAt
        }
        guard let expires else { throw QueryError(field: "session", "the session could not be stored.") }
        return (secret, WebSession(token: token, csrf: csrf, expiresAt: expires))
    }

    /// The live session with this secret, or nil (unknown, expired, or its token revoked).
    public func session(secret: String) async throws -> WebSession? {
        guard secret.utf8.count <= 256 else { return nil }
        let record = try await pool.withConnection { connection in
            try connection.first(WebStatements.SessionLookup(secretHash: Tokens.hash(secret)))
        }
        return record.map {
            WebSession(token: TokenInfo(id: $0.id, name: $0.name, scopes: Tokens.parseScopes($0.scopes)), csrf: $0.csrf, expiresAt: $0.expiresAt)
        }
    }

    /// Ends the session with this secret (nothing happens when there is none).
    public func end(secret: String) async throws {
        try await pool.withConnection { connection in
            _ = try connection.run(WebStatements.SessionDelete(secretHash: Tokens.hash(secret)))
        }
    }
}
