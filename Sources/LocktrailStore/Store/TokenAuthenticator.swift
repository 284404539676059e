/// Looks a bearer token up by its secret: the store's `TokenStore`, or a memory twin where a
/// unit test of what sits above it (the server's token cache) should not need PostgreSQL.
public protocol TokenAuthenticator: Sendable {
    /// The live token with this secret, or nil.
    func authenticate(secret: String) async throws -> TokenInfo?
}
