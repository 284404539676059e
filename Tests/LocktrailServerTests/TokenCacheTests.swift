import LocktrailStore
import Testing

@testable import LocktrailServer

/// The server's token cache over a memory twin of the token store: one lookup per secret per
/// lifetime, and a revocation seen once the lifetime is over.
@Suite("Token cache")
struct TokenCacheTests {
    /// Tokens in memory, counting how often each secret is looked up.
    actor MemoryTokens: TokenAuthenticator {
        var live: [String: TokenInfo]
        var lookups: [String: Int] = [:]

        init(_ live: [String: TokenInfo]) { self.live = live }

        func authenticate(secret: String) async throws -> TokenInfo? {
            lookups[secret, default: 0] += 1
            return live[secret]
        }

        func revoke(_ secret: String) { live[secret] = nil }
    }

    static let reader = TokenInfo(id: 1, name: "reader", scopes: [.read])

    @Test("a secret is looked up once per lifetime, known or not")
    func oneLookupPerLifetime() async throws {
        let tokens = MemoryTokens(["lt_read": Self.reader])
        let cache = TokenCache(tokens: tokens, lifetime: .seconds(60))
        for _ in 0..<5 {
            #expect(try await cache.token(for: "lt_read") == Self.reader)
            #expect(try await cache.token(for: "lt_unknown") == nil)
        }
        #expect(await tokens.lookups == ["lt_read": 1, "lt_unknown": 1])
    }

    @Test("a revocation takes effect once the lifetime is over")
    func revocationAfterLifetime() async throws {
        let tokens = MemoryTokens(["lt_read": Self.reader])
        let cache = TokenCache(tokens: tokens, lifetime: .milliseconds(100))
        #expect(try await cache.token(for: "lt_read") == Self.reader)
        await tokens.revoke("lt_read")
        #expect(try await cache.token(for: "lt_read") == Self.reader, "within the lifetime the cached answer stands")
        try await Task.sleep(for: .milliseconds(150))
        #expect(try await cache.token(for: "lt_read") == nil)
        #expect(await tokens.lookups["lt_read"] == 2)
    }
}
