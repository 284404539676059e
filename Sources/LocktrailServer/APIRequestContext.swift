import Hummingbird
import LocktrailStore

/// The request context of the API: Hummingbird's core storage plus the authenticated token.
public struct APIRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The token that authenticated this request, once `TokenMiddleware` has checked it.
    public var token: TokenInfo?

    /// A context for a new request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Requests carry no large bodies: a bound keeps a client from exhausting memory.
    public var maxUploadSize: Int { 64 * 1024 }
}
