import Foundation
import Hummingbird
import LocktrailCrypto
import LocktrailStore

/// The frame of every page: the header with navigation and logout, the content, the embedded
/// style sheet and script. Pages are never cached and may not be framed.
enum WebPage {
    static func render(title: String, body: String, web: WebConfiguration, session: WebSession?) -> String {
        let base = web.basePath
        var out = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += "<title>\(HTML.escape(title)) · locktrail</title>"
        out += "<style>\(WebAssets.css)</style></head><body><header>"
        out += "<a class=\"brand\" href=\"\(base)/\">locktrail</a>"
        if let session {
            out += "<nav><a href=\"\(base)/\">Now</a><a href=\"\(base)/ui/forced\">Force-removals</a></nav>"
            out +=
                "<form class=\"inline\" method=\"get\" action=\"\(base)/ui/search\"><input type=\"search\" name=\"q\" placeholder=\"state or person\" aria-label=\"Search states and people\"><button>Search</button></form>"
            out += "<span class=\"spacer\"></span><span class=\"muted\">token \(HTML.escape(session.token.name))</span>"
            out +=
                "<form method=\"post\" action=\"\(base)/ui/logout\"><input type=\"hidden\" name=\"csrf\" value=\"\(session.csrf)\"><button id=\"logout\">Log out</button></form>"
        }
        out += "</header><main>\(body)</main><script>\(WebAssets.js)</script></body></html>"
        return out
    }

    /// An HTML response.
    static func response(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static let headers: HTTPFields = [
        .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
        HeaderName("X-Frame-Options")!: "DENY", HeaderName("X-Content-Type-Options")!: "nosniff",
        HeaderName("Referrer-Policy")!: "same-origin",
        HeaderName("Content-Security-Policy")!:
            "default-src 'none'; style-src \(WebAssets.cssHash); script-src \(WebAssets.jsHash); form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ]

    /// A page that says what went wrong, in one sentence.
    static func error(
        status: HTTPResponse.Status, _ message: String, web: WebConfiguration, session: WebSession? = nil, extra: String = ""
    ) -> Response {
        let body = "<h1>\(status.code) \(HTML.escape(status.reasonPhrase))</h1><div class=\"panel error\">\(HTML.escape(message))</div>\(extra)"
        return response(render(title: "\(status.code)", body: body, web: web, session: session), status: status)
    }
}

/// A header name (HTTPTypes' `HTTPField.Name`, reached through the fields Hummingbird exports).
typealias HeaderName = HTTPFields.Element.Name
