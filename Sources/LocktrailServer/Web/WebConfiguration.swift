/// How `serve` presents the web page: where it is mounted and how its session cookie is set.
public struct WebConfiguration: Sendable {
    /// The prefix every route is served under behind a proxy (`/locktrail`), or "" for none.
    public var basePath: String
    /// Always mark the session cookie `Secure` (`serve --secure-cookies`: served over HTTPS).
    public var secureCookies: Bool
    /// Trust `X-Forwarded-Proto: https` from the proxy in front (`serve --trust-forwarded-proto`)
    /// to mark the cookie `Secure`.
    public var trustForwardedProto: Bool
    /// How long a session lives, in seconds.
    public var sessionLifetimeSeconds: Int64

    /// A configuration; `basePath` is normalised to `/prefix` without a trailing slash.
    public init(basePath: String = "", secureCookies: Bool = false, trustForwardedProto: Bool = false, sessionLifetimeSeconds: Int64 = 8 * 3600) {
        self.basePath = Self.normalise(basePath)
        self.secureCookies = secureCookies
        self.trustForwardedProto = trustForwardedProto
        self.sessionLifetimeSeconds = sessionLifetimeSeconds
    }

    /// `locktrail/` → `/locktrail`; `/` → "".
    public static func normalise(_ path: String) -> String {
        let trimmed = path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return trimmed.isEmpty ? "" : "/" + trimmed
    }

    /// Whether a base path is usable: letters, digits and `-._~/` only.
    public static func isValidBasePath(_ path: String) -> Bool {
        path.unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "-._~/".unicodeScalars.contains(c)
        }
    }
}
