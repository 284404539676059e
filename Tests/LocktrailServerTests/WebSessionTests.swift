import Foundation
import LocktrailCore
import LocktrailHTTP
import LocktrailServer
import LocktrailStore
import LocktrailTestSupport
import Testing

/// The web page's sessions on a real server and database: login with a read token only, the
/// cookie's attributes, sessions honoured by another replica, revocation and logout ending them
/// at once, forms refused without the anti-forgery value or from another origin.
@Suite("Web sessions", .serialized)
struct WebSessionTests {
    let transport = CurlHTTPClient()

    struct Page {
        var status: Int, headers: HTTPHeaders, text: String
        var location: String? { headers["Location"] }
        var setCookie: String? { headers["Set-Cookie"] }
        /// The session cookie's value, from `Set-Cookie`.
        var session: String? {
            setCookie?.split(separator: ";").first.flatMap { $0.hasPrefix("locktrail_session=") ? String($0.dropFirst(18)) : nil }
        }
    }

    func request(
        _ method: String, _ url: String, cookie: String? = nil, form: [String: String]? = nil, headers extra: [(String, String)] = []
    ) async throws -> Page {
        var headers: HTTPHeaders = [:]
        if let cookie { headers.add(name: "Cookie", value: "locktrail_session=" + cookie) }
        var body: [UInt8] = []
        if let form {
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            body = Array(
                form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&").utf8)
        }
        for (name, value) in extra { headers.add(name: name, value: value) }
        let response = try await transport.send(HTTPRequest(method: method, url: url, headers: headers, body: body))
        return Page(status: response.status, headers: response.headers, text: response.bodyText)
    }

    func login(_ base: String, token: String, headers: [(String, String)] = []) async throws -> Page {
        try await request("POST", base + "/ui/login", form: ["token": token], headers: headers)
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test("no session: every page redirects to the login form; a read token logs in with an HttpOnly, SameSite=Strict, expiring cookie")
    func loginAndRedirects() async throws {
        let db = try await TestDatabase.make()
        let read = try await Store(pool: db.pool).tokens.create(name: "reader", scopes: [.read])
        let ingest = try await Store(pool: db.pool).tokens.create(name: "wrappers", scopes: [.ingest])
        let base = try await QueryFixture.startServer(pool: db.pool)
        for path in ["/", "/ui/state?state=a/b", "/ui/forced", "/ui/forced.csv", "/ui/hold?lock_id=x", "/ui/events?seq=1", "/ui/search?q=a"] {
            let page = try await request("GET", base + path)
            #expect(page.status == 303, "\(path): \(page.status)")
            #expect(page.location?.hasPrefix("/ui/login") == true, "\(path): \(page.location ?? "-")")
            #expect(!page.text.contains("locktrail_session"), "\(path)")
        }
        #expect(try await request("GET", base + "/ui/login").status == 200)
        #expect(try await login(base, token: "lt_nonsense").status == 401)
        let refused = try await login(base, token: ingest)
        #expect(refused.status == 403 && refused.text.contains("lacks the read scope"), "\(refused.text)")
        #expect(refused.session == nil)

        let ok = try await login(base, token: read)
        #expect(ok.status == 303 && ok.location == "/", "\(ok)")
        let cookie = try #require(ok.setCookie)
        #expect(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Max-Age=28800") && cookie.contains("Path=/"),
            "\(cookie)")
        #expect(!cookie.contains("Secure"), "plain HTTP without --secure-cookies: \(cookie)")
        let board = try await request("GET", base + "/", cookie: ok.session)
        #expect(board.status == 200 && board.text.contains("Locks held"), "\(board.text)")
        #expect(board.headers["Content-Security-Policy"]?.contains("default-src 'none'") == true)
    }

    @Test("a session works on every replica; revoking its token ends it at once; logout needs the anti-forgery value and ends it")
    func revocationReplicasLogout() async throws {
        let db = try await TestDatabase.make()
        let store = Store(pool: db.pool)
        let read = try await store.tokens.create(name: "reader", scopes: [.read])
        let a = try await QueryFixture.startServer(pool: db.pool), b = try await QueryFixture.startServer(pool: db.pool)
        let session = try #require(try await login(a, token: read).session)
        let onB = try await request("GET", b + "/", cookie: session)
        #expect(onB.status == 200, "another replica honours the session")

        let csrf = try #require(Self.csrf(in: onB.text))
        let forged = try await request("POST", a + "/ui/logout", cookie: session, form: ["csrf": "wrong"])
        #expect(forged.status == 403)
        #expect(try await request("GET", a + "/", cookie: session).status == 200, "a refused logout ends nothing")
        let out = try await request("POST", b + "/ui/logout", cookie: session, form: ["csrf": csrf])
        #expect(out.status == 303 && out.location == "/ui/login", "\(out)")
        #expect(out.setCookie?.contains("Max-Age=0") == true)
        #expect(try await request("GET", a + "/", cookie: session).status == 303, "logged out on one replica is logged out on all")

        let again = try #require(try await login(a, token: read).session)
        #expect(try await request("GET", a + "/", cookie: again).status == 200)
        #expect(try await store.tokens.revoke(name: "reader"))
        #expect(try await request("GET", a + "/", cookie: again).status == 303, "revoking the token ends its sessions immediately")
        #expect(try await request("GET", b + "/", cookie: again).status == 303)
    }

    @Test("a login posted from another origin is refused; Secure with --secure-cookies, or behind a trusted proxy's X-Forwarded-Proto")
    func originAndSecure() async throws {
        let db = try await TestDatabase.make()
        let read = try await Store(pool: db.pool).tokens.create(name: "reader", scopes: [.read])
        let plain = try await QueryFixture.startServer(pool: db.pool)
        let crossSite = try await login(plain, token: read, headers: [("Origin", "https://evil.example")])
        #expect(crossSite.status == 403 && crossSite.session == nil)
        let sameSite = try await login(plain, token: read, headers: [("Origin", plain)])
        #expect(sameSite.status == 303 && sameSite.session != nil)
        // Without trust, a client's X-Forwarded-Proto changes nothing.
        #expect(try await login(plain, token: read, headers: [("X-Forwarded-Proto", "https")]).setCookie?.contains("Secure") == false)

        let secure = try await QueryFixture.startServer(pool: db.pool, web: WebConfiguration(secureCookies: true))
        #expect(try await login(secure, token: read).setCookie?.contains("Secure") == true)
        let proxied = try await QueryFixture.startServer(pool: db.pool, web: WebConfiguration(basePath: "/lt/", trustForwardedProto: true)) + "/lt"
        let behind = try await login(proxied, token: read, headers: [("X-Forwarded-Proto", "https")])
        #expect(behind.setCookie?.contains("Secure") == true && behind.setCookie?.contains("Path=/lt") == true, "\(behind.setCookie ?? "-")")
        #expect(behind.location == "/lt/")
        #expect(try await login(proxied, token: read, headers: [("X-Forwarded-Proto", "http")]).setCookie?.contains("Secure") == false)
        #expect(try await request("GET", proxied + "/", cookie: behind.session).status == 200)
        #expect(try await request("GET", proxied + "/healthz").status == 200, "the API moves under the base path too")
        // A login's `next` may only lead back into the page, never to another site.
        let next = try await request("POST", proxied + "/ui/login", form: ["token": read, "next": "//evil.example/x"])
        #expect(next.location == "/lt/")
    }

    @Test("GET /v1/holds/{lock_id}, /v1/forced?format=csv and the recorded verify, on the terraform fixture")
    func holdLookupAndCSV() async throws {
        let f = try await QueryFixture.shared.value
        let api = APIClient(base: f.baseURL)
        let hold = try await api.get("/v1/holds/\(f.killedRecord.id)", token: f.readToken)
        #expect(hold.status == 200, "\(hold.text)")
        #expect(hold.json?["lock_id"] == .string(f.killedRecord.id))
        let seqs = Set(hold.json?["evidence"]?.arrayValue?.compactMap { $0["seq"]?.numberValue } ?? [])
        let eventSeqs = Set(hold.json?["events"]?.arrayValue?.compactMap { $0["seq"]?.numberValue } ?? [])
        #expect(!seqs.isEmpty && seqs == eventSeqs, "every evidence item's event is included: \(hold.text)")
        let missing = try await api.get("/v1/holds/00000000-0000-0000-0000-000000000000", token: f.readToken)
        #expect(missing.status == 404 && missing.json?["field"] == "lock_id", "\(missing.text)")
        #expect(try await api.get("/v1/holds/\(f.killedRecord.id)", token: nil).status == 401)

        let csv = try await api.get("/v1/forced?format=csv", token: f.readToken)
        #expect(csv.status == 200)
        let lines = csv.text.split(separator: "\r\n")
        #expect(lines.first == Substring(ForcedReportColumns.header), "\(csv.text)")
        #expect(try await api.get("/v1/forced?format=xml", token: f.readToken).status == 400)
    }
}

extension WebSessionTests {
    @Test("`locktrail verify` records its result; the force-removal report shows it and the chain head without verifying")
    func recordedVerify() async throws {
        let db = try await TestDatabase.make()
        let store = Store(pool: db.pool)
        let read = try await store.tokens.create(name: "reader", scopes: [.read])
        let base = try await QueryFixture.startServer(pool: db.pool)
        let session = try #require(try await login(base, token: read).session)
        #expect(try await request("GET", base + "/ui/forced", cookie: session).text.contains("none recorded yet"))
        let verify = try await SoundClaimsTerraformTests.locktrail(["verify"], db: db)
        #expect(verify.status == 0, "\(verify)")
        let last = try #require(try await store.verifications.last())
        #expect(last.intact && last.events == 0 && last.head.hasPrefix("0:"))
        let report = try await request("GET", base + "/ui/forced", cookie: session)
        #expect(report.text.contains("id=\"last-verify\"><span class=\"badge b-held\">intact</span>"), "\(report.text)")
        #expect(report.text.contains("id=\"chain-head\">0:"))
        let csv = try await request("GET", base + "/ui/forced.csv", cookie: session)
        #expect(csv.status == 200 && csv.headers["Content-Type"]?.hasPrefix("text/csv") == true)
        #expect(csv.text.hasPrefix(ForcedReportColumns.header + "\r\n"), "\(csv.text)")
        let search = try await request("GET", base + "/ui/search?q=nothing-like-this", cookie: session)
        #expect(search.status == 200 && search.text.contains("States (0)"), "\(search.text)")
        let unknown = try await request("GET", base + "/ui/state?state=no/such/state", cookie: session)
        #expect(unknown.status == 400 && unknown.text.contains("no events name the state"), "\(unknown.text)")
        #expect(try await request("GET", base + "/ui/hold?lock_id=nope", cookie: session).status == 404)
    }
}

/// The CSV header `GET /v1/forced?format=csv` promises.
enum ForcedReportColumns {
    static let header = "state,workspace,who,operation,lock_id,acquired,released,forced_by,force_reason,force_provenance,force_reported_by,evidence"
}
