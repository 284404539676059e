import Hummingbird
import LocktrailStore
import Logging

/// Every page but the login page needs a live session: without one a browser is sent to the
/// login page (303), and a form posted without the session's anti-forgery value is refused (403).
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let sessions: SessionStore
    let web: WebConfiguration

    static let cookieName = "locktrail_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var session: WebSession?
        do {
            if let cookie = request.cookies[Self.cookieName] { session = try await sessions.session(secret: cookie.value) }
        } catch {
            context.logger.warning("session lookup failed", metadata: ["error": "\(error)"])
            return WebPage.error(status: .serviceUnavailable, "The database cannot be reached; try again shortly.", web: web)
        }
        guard let session else {
            let next = request.method == .get ? request.uri.description : nil
            return Self.redirect(web.basePath + "/ui/login" + HTML.queryString([("next", next)]))
        }
        context.token = session.token
        context.webSession = session
        return try await next(request, context)
    }

    /// A 303 to `location` (after a form post the browser then GETs it).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
