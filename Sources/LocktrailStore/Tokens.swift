import Foundation
import LocktrailCore
import LocktrailCrypto
package import LocktrailPostgres

/// What a bearer token may do.
public enum TokenScope: String, Hashable, Sendable, CaseIterable {
    /// Ask the queries.
    case read
    /// Post hook events.
    case ingest
    /// Everything, including administration.
    case admin
    /// Scrape `GET /metrics` only (a token for Prometheus that reads no history).
    case metrics
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

    /// A token's description.
    public init(id: Int64, name: String, scopes: Set<TokenScope>, createdAt: String? = nil, revokedAt: String? = nil) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// Bearer tokens of the HTTP API. Only the SHA-256 of a secret is stored: a leaked database does
/// not leak working tokens. Secrets are 32 random bytes, so a plain hash is enough (no key stretching).
public enum Tokens {
    /// Creates a token and returns its secret, which is shown once and never stored.
    package static func create(name: String, scopes: Set<TokenScope>, on connection: PostgresConnection) throws -> String {
        guard !scopes.isEmpty else { throw QueryError(field: "scope", "a token needs at least one scope (read, ingest, admin).") }
        let secret = "lt_" + Hex.encode(Digest.randomBytes(32))
        let insert = TokenStatements.Insert(name: name, secretHash: hash(secret), scopes: scopes.map(\.rawValue).sorted())
        do throws(PostgresError) {
            try connection.run(insert)
        } catch {
            guard error.sqlState == "23505" else { throw error }
            throw QueryError(field: "name", "a token named '\(name)' already exists; revoke it or choose another name.")
        }
        return secret
    }

    /// The live token with this secret, or nil.
    package static func authenticate(secret: String, on connection: PostgresConnection) throws -> TokenInfo? {
        let found = try connection.records(TokenStatements.Lookup(secretHash: hash(secret)))
        guard found.count == 1, let token = found.first else { return nil }
        return TokenInfo(id: token.id, name: token.name, scopes: parseScopes(token.scopes), createdAt: nil, revokedAt: nil)
    }

    /// Every token, without secrets.
    package static func list(on connection: PostgresConnection) throws -> [TokenInfo] {
        try connection.records(TokenStatements.List()).map { token in
            TokenInfo(id: token.id, name: token.name, scopes: parseScopes(token.scopes), createdAt: token.createdAt, revokedAt: token.revokedAt)
        }
    }

    /// Revokes the token named `name`; false when there is no live token of that name.
    package static func revoke(name: String, on connection: PostgresConnection) throws -> Bool {
        try connection.records(TokenStatements.Revoke(name: name)).count == 1
    }

    /// The SHA-256 of a secret, as stored.
    public static func hash(_ secret: String) -> [UInt8] { Digest.sha256(secret) }

    static func parseScopes(_ text: String?) -> Set<TokenScope> {
        guard let text else { return [] }
        return Set(text.trimmingCharacters(in: ["{", "}"]).split(separator: ",").compactMap { TokenScope(rawValue: String($0)) })
    }
}
