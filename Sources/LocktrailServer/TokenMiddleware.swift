import Hummingbird
import LocktrailStore

/// Requires a bearer token with `scope`: 401 without one or with one that is not live, 403 when
/// it lacks the scope (`admin` has every scope).
struct TokenMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let scope: TokenScope
    let cache: TokenCache
    /// Another scope that also admits (`/metrics`: the metrics scope, or read).
    var alternative: TokenScope? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "a bearer token is required: send Authorization: Bearer <token> (create one with `locktrail token create`)")
        }
        guard let secret = Self.bearerSecret(header) else {
            throw APIError(.unauthorized, "the Authorization header must be: Bearer <token>")
        }
        guard let token = try await cache.token(for: secret) else {
            throw APIError(.unauthorized, "the token is not valid (unknown or revoked)")
        }
        // Recorded before the scope check: the access log names a token refused for its scope too.
        context.token = token
        guard token.scopes.contains(scope) || token.scopes.contains(.admin) || alternative.map(token.scopes.contains) == true else {
            throw APIError(.forbidden, "the token '\(token.name)' lacks the '\(scope.rawValue)' scope")
        }
        return try await next(request, context)
    }

    /// The secret of an `Authorization: Bearer <token>` header, if the header has that form.
    static func bearerSecret(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, parts[1].utf8.count <= 256 else { return nil }
        return String(parts[1])
    }
}

/// Token lookups, remembered for a few seconds so a busy client costs one database read per
/// interval rather than one per request. A revocation takes effect within `lifetime`.
actor TokenCache {
    private let tokens: any TokenAuthenticator
    private let lifetime: Duration
    private var entries: [[UInt8]: (token: TokenInfo?, expires: ContinuousClock.Instant)] = [:]

    init(tokens: any TokenAuthenticator, lifetime: Duration = .seconds(5)) {
        self.tokens = tokens
        self.lifetime = lifetime
    }

    /// The live token a request's `Authorization: Bearer` header names, or nil: no header, a
    /// malformed one, an unknown or revoked token, or a database that cannot be asked.
    func token(authorizing request: Request) async -> TokenInfo? {
        guard let header = request.headers[.authorization], let secret = TokenMiddleware.bearerSecret(header) else { return nil }
        return try? await token(for: secret)
    }

    func token(for secret: String) async throws -> TokenInfo? {
        let key = Tokens.hash(secret)
        let now = ContinuousClock.now
        if let entry = entries[key], entry.expires > now { return entry.token }
        let token = try await tokens.authenticate(secret: secret)
        // Bounded: unknown secrets are remembered too (briefly), but never more than a few thousand.
        if entries.count > 4096 { entries = entries.filter { $0.value.expires > now } }
        if entries.count > 4096 { entries.removeAll() }
        entries[key] = (token, now + lifetime)
        return token
    }
}
