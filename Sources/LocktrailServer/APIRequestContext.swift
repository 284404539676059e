public import Hummingbird
public import LocktrailStore
import Synchronization

/// The request context of the API: Hummingbird's core storage plus the authenticated token.
public struct APIRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Shared by every copy of this request's context: middleware hand copies inward, and the
    /// access log, outermost, must still see the token the inner token check found.
    private let authenticated = AuthenticatedToken()

    /// The token that authenticated this request, once `TokenMiddleware` (or `/readyz`) has
    /// checked it; visible to every middleware of the request, the outer ones too.
    public var token: TokenInfo? {
        get { authenticated.value.withLock { $0 } }
        nonmutating set { authenticated.value.withLock { $0 = newValue } }
    }

    /// The web session of a page request, once `WebSessionMiddleware` has found it.
    public var webSession: WebSession? {
        get { session.value.withLock { $0 } }
        nonmutating set { session.value.withLock { $0 = newValue } }
    }
    private let session = SessionBox()

    /// A context for a new request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Requests carry no large bodies: a bound keeps a client from exhausting memory.
    public var maxUploadSize: Int { 64 * 1024 }
}

/// The token of one request, behind a lock (a request's middleware may run on different threads).
private final class AuthenticatedToken: Sendable {
    let value = Mutex<TokenInfo?>(nil)
}

/// The web session of one request, behind a lock like the token.
private final class SessionBox: Sendable {
    let value = Mutex<WebSession?>(nil)
}
