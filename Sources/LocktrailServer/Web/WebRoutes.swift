import Foundation
import Hummingbird
import LocktrailCore
import LocktrailCrypto
import LocktrailStore
import Logging

/// The web page: the board (`/`), a state's timeline (`/ui/state`), the compliance report
/// (`/ui/forced`, `/ui/forced.csv`), a hold (`/ui/hold`), events (`/ui/events`), search, and
/// login/logout. Every page but the login form needs a session (`WebSessionMiddleware`); the data
/// comes from the store's answers, like the API's.
struct WebRoutes {
    let store: Store
    let tokens: TokenCache
    let freshness: DerivationFreshness
    let web: WebConfiguration

    /// The most holds and writes one state page draws.
    static let maxItems = 5000

    func register(on root: RouterGroup<APIRequestContext>) {
        root.get("ui/login") { request, _ in loginPage(next: request.uri.queryParameters["next"].map(String.init), message: nil) }
        root.post("ui/login") { request, context in try await login(request, context: context) }

        let pages = root.group().add(middleware: WebSessionMiddleware(sessions: store.sessions, web: web))
        pages.post("ui/logout") { request, context in try await logout(request, context: context) }
        pages.get("") { request, context in try await page(request, context) { try await board(context, $0) } }
        pages.get("ui") { _, _ in WebSessionMiddleware.redirect(web.basePath + "/") }
        pages.get("ui/state") { request, context in try await page(request, context) { try await statePage(context, $0) } }
        pages.get("ui/forced") { request, context in try await page(request, context) { try await forcedPage(context, $0) } }
        pages.get("ui/forced.csv") { request, context in try await forcedCSV(request) }
        pages.get("ui/hold") { request, context in try await page(request, context) { try await holdPage(context, $0) } }
        pages.get("ui/events") { request, context in try await page(request, context) { try await eventsPage(context, $0) } }
        pages.get("ui/search") { request, context in try await page(request, context) { try await searchPage(context, $0) } }
    }

    // MARK: - Login and logout

    private func loginPage(next: String?, message: String?, status: HTTPResponse.Status = .ok) -> Response {
        var body = "<div class=\"login\"><h1>Log in to locktrail</h1>"
        if let message { body += "<div class=\"panel error\" id=\"login-error\">\(HTML.escape(message))</div>" }
        body += """
            <form class="panel" method="post" action="\(web.basePath)/ui/login">
            <p>Paste a token with the <b>read</b> (or admin) scope: <code>locktrail token create --scope read --name NAME</code>.</p>
            <p><input type="password" name="token" id="token" autocomplete="current-password" required aria-label="Token"></p>
            """
        if let next = safeNext(next) { body += "<input type=\"hidden\" name=\"next\" value=\"\(HTML.escape(next))\">" }
        body += "<button type=\"submit\" id=\"login\">Log in</button></form></div>"
        return WebPage.response(WebPage.render(title: "Log in", body: body, web: web, session: nil), status: status)
    }

    private func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        // A login form posted from another site is refused (login CSRF); browsers send Origin on POSTs.
        guard Self.isSameOrigin(request) else {
            return WebPage.error(status: .forbidden, "This form must be posted from the locktrail page itself.", web: web)
        }
        let form = try await Self.form(request)
        let next = form["next"]
        guard let secret = form["token"]?.trimmingCharacters(in: .whitespacesAndNewlines), !secret.isEmpty, secret.utf8.count <= 256 else {
            return loginPage(next: next, message: "Enter a token.", status: .badRequest)
        }
        let token: TokenInfo?
        do {
            token = try await store.tokens.authenticate(secret: secret)
        } catch {
            context.logger.warning("login failed", metadata: ["error": "\(error)"])
            return loginPage(next: next, message: "The database cannot be reached; try again shortly.", status: .serviceUnavailable)
        }
        guard let token else { return loginPage(next: next, message: "That token is not valid (unknown or revoked).", status: .unauthorized) }
        context.token = token
        guard token.scopes.contains(.read) || token.scopes.contains(.admin) else {
            return loginPage(next: next, message: "The token '\(token.name)' lacks the read scope.", status: .forbidden)
        }
        let (cookieValue, _) = try await store.sessions.create(token: token, lifetimeSeconds: web.sessionLifetimeSeconds)
        var response = WebSessionMiddleware.redirect(safeNext(next) ?? web.basePath + "/")
        response.setCookie(sessionCookie(cookieValue, maxAge: Int(web.sessionLifetimeSeconds), request: request))
        return response
    }

    private func logout(_ request: Request, context: APIRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        guard let session = context.webSession, form["csrf"] == session.csrf else {
            return WebPage.error(status: .forbidden, "The form's anti-forgery value is missing or wrong; reload the page and try again.", web: web)
        }
        if let secret = request.cookies[WebSessionMiddleware.cookieName]?.value { try await store.sessions.end(secret: secret) }
        var response = WebSessionMiddleware.redirect(web.basePath + "/ui/login")
        response.setCookie(sessionCookie("", maxAge: 0, request: request))
        return response
    }

    private func sessionCookie(_ value: String, maxAge: Int, request: Request) -> Cookie {
        let forwardedHTTPS =
            web.trustForwardedProto
            && request.headers[HeaderName("X-Forwarded-Proto")!]?.split(separator: ",").first?
                .trimmingCharacters(in: .whitespaces).lowercased() == "https"
        return Cookie(
            name: WebSessionMiddleware.cookieName, value: value, maxAge: maxAge, path: web.basePath.isEmpty ? "/" : web.basePath,
            secure: web.secureCookies || forwardedHTTPS, httpOnly: true, sameSite: .strict)
    }

    /// A redirect target after login: only a path on this server under the base path.
    private func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix(web.basePath + "/"), !next.hasPrefix("//"), !next.contains("\\"),
            !next.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { return nil }
        return next
    }

    /// Whether a POST comes from this server's own page: its `Origin` (or, without one, its
    /// `Sec-Fetch-Site`) says so. Clients that send neither (curl) are not browsers a forgery can drive.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let origin = request.headers[HeaderName("Origin")!] {
            guard origin != "null", let host = URL(string: origin)?.host else { return false }
            let authority = request.head.authority ?? nil ?? ""
            let requestHost =
                authority.hasPrefix("[") ? String(authority.dropFirst().prefix { $0 != "]" }) : String(authority.split(separator: ":").first ?? "")
            return host.lowercased() == requestHost.lowercased()
        }
        if let site = request.headers[HeaderName("Sec-Fetch-Site")!] { return site == "same-origin" || site == "none" }
        return true
    }

    /// An `application/x-www-form-urlencoded` body (at most 16 KiB), first value of each name.
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: 16 * 1024)
        let text = String(buffer: buffer)
        var values: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return values
    }

    // MARK: - Pages

    /// Renders a page: a question that cannot be answered (unknown state, bad time) is a 400 page
    /// that says why; anything else is logged and a 500 page.
    private func page(
        _ request: Request, _ context: APIRequestContext, _ body: (QueryParameters) async throws -> (String, String)
    ) async throws -> Response {
        let q = QueryParameters(request, now: QueryRoutes.now)
        do {
            try await freshness.ensureFresh()
            let (title, html) = try await body(q)
            return WebPage.response(WebPage.render(title: title, body: html, web: web, session: context.webSession))
        } catch let error as QueryError {
            var extra = ""
            if !error.suggestions.isEmpty {
                extra =
                    "<p>Did you mean: "
                    + error.suggestions.map { "<a href=\"\(web.basePath)/ui/state?state=\(HTML.query($0))\">\(HTML.escape($0))</a>" }.joined(
                        separator: ", ") + "?</p>"
            }
            return WebPage.error(status: .badRequest, error.message, web: web, session: context.webSession, extra: extra)
        } catch let error as PageNotFound {
            return WebPage.error(status: .notFound, error.message, web: web, session: context.webSession)
        } catch {
            context.logger.error("page failed", metadata: ["error": "\(error)"])
            return WebPage.error(status: .internalServerError, "locktrail could not answer: \(error)", web: web, session: context.webSession)
        }
    }

    struct PageNotFound: Error { var message: String }

    private var base: String { web.basePath }

    private func stateLink(_ state: String?) -> String {
        guard let state else { return "<span class=\"muted\">unknown</span>" }
        return "<a class=\"state-link\" href=\"\(base)/ui/state?state=\(HTML.query(state))\">\(HTML.escape(state))</a>"
    }

    private func holdLink(_ lockID: String?) -> String {
        guard let lockID else { return "-" }
        return "<a class=\"mono hold-link\" href=\"\(base)/ui/hold?lock_id=\(HTML.query(lockID))\">\(HTML.escape(String(lockID.prefix(8))))…</a>"
    }

    private func eventsLink(_ seqs: [Int64], label: String? = nil) -> String {
        guard !seqs.isEmpty else { return "-" }
        let text = label ?? seqs.prefix(6).map { "#\($0)" }.joined(separator: " ") + (seqs.count > 6 ? " …" : "")
        return "<a class=\"evidence-link\" href=\"\(base)/ui/events?seq=\(seqs.map(String.init).joined(separator: ","))\">\(HTML.escape(text))</a>"
    }

    private func endBadge(_ hold: JSONValue) -> String {
        guard let kind = hold.text("release_kind") else { return "<span class=\"badge b-held\">held</span>" }
        var out = "<span class=\"badge b-\(kind)\">\(kind)</span>"
        if kind == "forced" {
            out += " by <b class=\"forced-by\">\(HTML.escape(hold.text("forced_by") ?? "unknown actor"))</b>"
            if let reason = hold.text("force_reason") { out += " — \(HTML.escape(reason))" }
            if let p = hold.text("force_provenance") {
                out += " <span class=\"muted\">(\(p)\(hold.text("force_reported_by").map { ", \(HTML.escape($0))" } ?? ""))</span>"
            }
        }
        return out
    }

    private func all(_ fetch: (String?) async throws -> AnswerPage, max: Int = WebRoutes.maxItems) async throws -> [JSONValue] {
        var items: [JSONValue] = [], cursor: String?
        repeat {
            let page = try await fetch(cursor)
            items += page.items
            cursor = page.nextCursor
        } while cursor != nil && items.count < max
        return items
    }

    private func board(_ context: APIRequestContext, _ q: QueryParameters) async throws -> (String, String) {
        let now = q.now
        let staleAfter: Int64 = 3600
        let held = try await all { try await store.answers.stale(olderThan: 0, cursor: $0, limit: 1000, now: now) }
        let week = now.adding(seconds: -7 * 86400)
        let forced = try await store.answers.forced(since: week, until: nil, cursor: nil, limit: 200).items
        let unlocked = try await store.answers.writes(
            state: nil, unlockedOnly: true, since: now.adding(seconds: -30 * 86400), until: nil, cursor: nil, limit: 200
        ).items
        let gaps = try await store.events.list(after: 0, kind: EventKind.coverageGap.rawValue, limit: 1000)
        // CI links come from the run that owns each hold (its run.started event, in the evidence).
        let runEvents = try await store.answers.events(at: held.flatMap(\.evidenceSeqs)).filter { $0.event.kind == .runStarted }
        var ciURL: [String: String] = [:]
        for e in runEvents {
            if let run = e.event.details["run_id"]?.stringValue, let url = e.event.details["ci"]?["url"]?.stringValue { ciURL[run] = url }
        }

        var h = "<h1>Now</h1><h2 id=\"held\">Locks held (\(held.count))</h2>"
        if held.isEmpty {
            h += "<p class=\"muted\">No lock is held.</p>"
        } else {
            h +=
                "<table id=\"held-table\"><tr><th>state</th><th>workspace</th><th>who</th><th>operation</th><th>since</th><th>age</th><th>holder's run</th><th>CI</th><th>lock</th></tr>"
            for hold in held {
                let age = hold["age_seconds"]?.numberValue.map { Int64($0) }
                let stale = (age ?? 0) >= staleAfter
                let alive: String
                switch hold.text("holder_run_status") {
                case "running"?: alive = "<span class=\"badge b-held\">alive</span>"
                case "finished"?: alive = "<span class=\"badge b-stale\">finished</span>"
                case "silent"?:
                    alive =
                        "<span class=\"badge b-stale\">silent</span> <span class=\"muted\">last heard \(hold.text("holder_last_seen").flatMap(Timestamp.init(parsing:)).map(HTML.time) ?? "?")</span>"
                default: alive = "<span class=\"muted\">unknown (no wrapped run)</span>"
                }
                let ci = hold.text("run_id").flatMap { ciURL[$0] }.map { "<a href=\"\(HTML.escape($0))\" rel=\"noreferrer\">job</a>" } ?? "-"
                h +=
                    "<tr class=\"\(stale ? "stale" : "")\"><td>\(stateLink(hold.text("state")))\(stale ? " <span class=\"badge b-stale\">stale</span>" : "")</td>"
                h += "<td>\(HTML.escape(hold.text("workspace") ?? "-"))</td><td>\(HTML.escape(hold.text("who") ?? "-"))</td>"
                h += "<td>\(HTML.escape(hold.text("operation") ?? "-"))</td><td>\(HTML.time(hold.eventTime("acquired")))</td>"
                h += "<td>\(age.map(Self.duration) ?? "-")</td><td>\(alive)</td><td>\(ci)</td><td>\(holdLink(hold.text("lock_id")))</td></tr>"
            }
            h += "</table>"
        }
        h += "<h2 id=\"forced\">Force-removals, last 7 days (\(forced.count))</h2>"
        h += forced.isEmpty ? "<p class=\"muted\">None.</p>" : forcedTable(forced)
        h += "<h2 id=\"unlocked\">Unlocked writes, last 30 days (\(unlocked.count))</h2>"
        h +=
            unlocked.isEmpty
            ? "<p class=\"muted\">None proven. (A write is unlocked only when complete lock history proves no lock was held.)</p>"
            : writesTable(unlocked, showState: true)
        h += "<h2 id=\"gaps\">Coverage gaps by source</h2>"
        if gaps.isEmpty {
            h += "<p class=\"muted\">None recorded: every source observed without a pause.</p>"
        } else {
            let bySource = Dictionary(grouping: gaps, by: { $0.event.source })
            h += "<table><tr><th>source</th><th>gaps</th><th>last gap</th><th>reason</th><th>state</th><th>events</th></tr>"
            for source in bySource.keys.sorted() {
                let list = bySource[source]!
                let last = list.last!
                h += "<tr><td class=\"mono\">\(HTML.escape(source))</td><td>\(list.count)</td><td>\(HTML.time(last.event.time))</td>"
                h +=
                    "<td>\(HTML.escape(last.event.details["reason"]?.stringValue ?? "-"))</td><td>\(last.event.state.map { stateLink($0) } ?? "whole source")</td>"
                h += "<td>\(eventsLink(list.suffix(20).map(\.seq)))</td></tr>"
            }
            h += "</table>"
        }
        return ("Now", h)
    }

    static func duration(_ seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86400 { return "\(seconds / 3600)h\(seconds % 3600 / 60)m" }
        return "\(seconds / 86400)d\(seconds % 86400 / 3600)h"
    }

    private func forcedTable(_ holds: [JSONValue]) -> String {
        var h =
            "<table class=\"forced-table\"><tr><th>state</th><th>holder</th><th>acquired</th><th>released</th><th>forced by</th><th>reason</th><th>provenance</th><th>evidence</th><th>lock</th></tr>"
        for hold in holds {
            let proof = (hold["evidence"]?.arrayValue ?? []).filter {
                ["lock.force_unlocked", "lock.release_failed", "run.heartbeat"].contains($0.text("kind") ?? "")
            }.compactMap { $0["seq"]?.numberValue.map { Int64($0) } }
            h += "<tr><td>\(stateLink(hold.text("state")))</td><td>\(HTML.escape(hold.text("who") ?? "-"))</td>"
            h += "<td>\(HTML.time(hold.eventTime("acquired")))</td><td>\(HTML.time(hold.eventTime("released")))</td>"
            h +=
                "<td class=\"forced-by\"><b>\(HTML.escape(hold.text("forced_by") ?? "unknown"))</b></td><td>\(HTML.escape(hold.text("force_reason") ?? "-"))</td>"
            h +=
                "<td>\(HTML.escape(hold.text("force_provenance") ?? "-"))\(hold.text("force_reported_by").map { " <span class=\"muted\">\(HTML.escape($0))</span>" } ?? "")</td>"
            h += "<td>\(eventsLink(proof.isEmpty ? hold.evidenceSeqs : proof))</td><td>\(holdLink(hold.text("lock_id")))</td></tr>"
        }
        return h + "</table>"
    }

    private func writesTable(_ writes: [JSONValue], showState: Bool) -> String {
        var h =
            "<table class=\"writes-table\"><tr><th>#</th>\(showState ? "<th>state</th>" : "")<th>written</th><th>status</th><th>serial</th><th>under</th><th>why</th><th>evidence</th></tr>"
        for w in writes {
            let status = w.text("status") ?? "unknown"
            var serial = w["serial"]?.numberValue.map { String(Int64($0)) } ?? "-"
            if w["serial_regression"] == .bool(true) {
                serial +=
                    " <span class=\"badge b-unlocked\">regression from \(w["previous_serial"]?.numberValue.map { String(Int64($0)) } ?? "?")</span>"
            }
            if w["lineage_changed"] == .bool(true) { serial += " <span class=\"badge b-ambiguous\">lineage changed</span>" }
            var under = "-"
            if let lock = w.text("lock_id") {
                under = "\(HTML.escape(w.text("who") ?? "?")) \(holdLink(lock))"
            } else if let c = w["candidates"]?.arrayValue, !c.isEmpty {
                under = "one of " + c.compactMap(\.stringValue).map(holdLink).joined(separator: ", ")
            }
            let seq = w["seq"]?.numberValue.map { Int64($0) } ?? 0
            h +=
                "<tr id=\"write-\(seq)\" class=\"write-row\"><td>\(seq)</td>\(showState ? "<td>\(stateLink(w.text("state")))</td>" : "")<td>\(HTML.time(w.eventTime("written")))</td>"
            h += "<td><span class=\"badge b-\(status)\">\(status)</span></td><td>\(serial)</td><td>\(under)</td>"
            h += "<td class=\"muted\">\(HTML.escape(w.text("reason") ?? ""))</td><td>\(eventsLink(w.evidenceSeqs))</td></tr>"
        }
        return h + "</table>"
    }

    private func statePage(_ context: APIRequestContext, _ q: QueryParameters) async throws -> (String, String) {
        let state = try q.required("state")
        var since = try q.time("since"), until = try q.time("until")
        if let s = since, let u = until, u < s { throw QueryError(field: "until", "until (\(u.rfc3339)) is before since (\(s.rfc3339)).") }
        try await store.answers.requireKnownState(state)
        let holds = try await all { try await store.answers.history(state: state, who: nil, since: since, until: until, cursor: $0, limit: 1000) }
        let writes = try await all {
            try await store.answers.writes(state: state, unlockedOnly: false, since: since, until: until, cursor: $0, limit: 1000)
        }
        let bars = holds.map(Timeline.HoldBar.init(json:))
        let ticks = writes.compactMap(Timeline.WriteTick.init(json:))
        let zoomed = since != nil || until != nil
        // Without a range the whole history is drawn, with a little room at both ends.
        if since == nil || until == nil {
            var times: [Timestamp] = []
            for bar in bars {
                times += [bar.outerStart, bar.innerStart, bar.innerEnd, bar.outerEnd].compactMap { $0 }
                if bar.released == nil { times.append(q.now) }
            }
            for tick in ticks { times += [tick.time.earliest, tick.time.latest].compactMap { $0 } }
            let lo = times.min() ?? q.now.adding(seconds: -3600), hi = max(times.max() ?? q.now, lo.adding(seconds: 10))
            let pad = max(1_000_000, (hi.microseconds - lo.microseconds) / 40)
            if since == nil { since = lo.adding(microseconds: -pad) }
            if until == nil { until = hi.adding(microseconds: pad) }
            if until! <= since! { until = since!.adding(seconds: 60) }
        }
        let from = since!, to = until!
        let events = try await store.answers.timelineEvents(
            kinds: [.lockContended, .lockForceUnlocked, .lockReleaseFailed, .coverageGap, .runStarted],
            state: state, since: from, until: to, limit: Self.maxItems)
        var waiter: [String: String] = [:]
        for e in events where e.event.kind == .runStarted {
            if let run = e.event.details["run_id"]?.stringValue {
                waiter[run] = e.event.details["who"]?.stringValue ?? e.event.details["user"]?.stringValue
            }
        }
        var marks: [Timeline.Mark] = [], gaps: [Timeline.Gap] = []
        for e in events {
            let d = e.event.details
            switch e.event.kind {
            case .lockContended:
                let who = d["run_id"]?.stringValue.flatMap { waiter[$0] } ?? "a run"
                marks.append(
                    .init(
                        kind: .contention, seq: e.seq, time: e.event.time, lockID: e.event.lockID,
                        label: "contention: \(who) waited for \(d["holder_who"]?.stringValue ?? "the holder") (lock \(e.event.lockID ?? "?"))"))
            case .lockForceUnlocked:
                let outcome = d["outcome"]?.stringValue ?? "no outcome"
                marks.append(
                    .init(
                        kind: .force, seq: e.seq, time: e.event.time, lockID: e.event.lockID,
                        label: "force-unlock by \(d["actor"]?.stringValue ?? "unknown actor") (\(d["tool"]?.stringValue ?? "?")), outcome \(outcome)"
                            + (d["reason"]?.stringValue.map { ", reason: \($0)" } ?? "")))
            case .lockReleaseFailed:
                marks.append(
                    .init(
                        kind: .releaseFailed, seq: e.seq, time: e.event.time, lockID: e.event.lockID,
                        label: "release failed: \(d["message"]?.stringValue ?? "?")"))
            case .coverageGap:
                let period = e.event.time
                let gapFrom = d["from"]?.stringValue.flatMap(Timestamp.init(parsing:)) ?? period.earliest ?? from
                let gapTo = d["to"]?.stringValue.flatMap(Timestamp.init(parsing:)) ?? period.latest
                gaps.append(.init(seq: e.seq, source: e.event.source, from: gapFrom, to: gapTo, reason: d["reason"]?.stringValue ?? "?"))
            default: break
            }
        }
        let timeline = Timeline(holds: bars, writes: ticks, marks: marks, gaps: gaps, since: from, until: to, basePath: base)

        let stateQ = HTML.query(state)
        func view(_ a: Timestamp, _ b: Timestamp) -> String {
            "\(base)/ui/state?state=\(stateQ)&since=\(HTML.query(a.rfc3339))&until=\(HTML.query(b.rfc3339))"
        }
        let span = to.microseconds - from.microseconds
        var h = "<h1>\(HTML.escape(state))</h1>"
        h +=
            "<form class=\"zoom\" method=\"get\" action=\"\(base)/ui/state\" id=\"zoom\"><input type=\"hidden\" name=\"state\" value=\"\(HTML.escape(state))\">"
        h += "<label>since <input type=\"text\" name=\"since\" id=\"since\" value=\"\(HTML.escape(from.rfc3339))\"></label>"
        h +=
            "<label>until <input type=\"text\" name=\"until\" id=\"until\" value=\"\(HTML.escape(to.rfc3339))\"></label><button id=\"zoom-apply\">Show</button>"
        h += "<a href=\"\(view(from.adding(microseconds: -span / 2), to.adding(microseconds: span / 2)))\" id=\"zoom-out\">zoom out</a>"
        h += "<a href=\"\(view(from.adding(microseconds: span / 4), to.adding(microseconds: -span / 4)))\" id=\"zoom-in\">zoom in</a>"
        h += "<a href=\"\(view(from.adding(microseconds: -span / 2), to.adding(microseconds: -span / 2)))\">← earlier</a>"
        h += "<a href=\"\(view(from.adding(microseconds: span / 2), to.adding(microseconds: span / 2)))\">later →</a>"
        if zoomed { h += "<a href=\"\(base)/ui/state?state=\(stateQ)\">whole history</a>" }
        h += "<span class=\"muted\">times in UTC (hover for local time); since/until accept RFC 3339 or 2h, 7d, yesterday</span></form>"
        h += """
            <div class="legend"><span><i class="l-certain"></i>held for certain</span>\
            <span><i class="l-bounded"></i>known only within bounds</span>\
            <span><i class="l-held"></i>still held</span><span><i class="l-forced"></i>forced (▶ removal)</span>\
            <span>│ write locked</span><span class="c-warn">┆ ambiguous</span><span class="c-unknown">┊ unknown</span>\
            <span class="c-bad">▲ unlocked</span><span class="c-bad">↓serial regression</span>\
            <span class="c-warn">◆ contention</span><span class="c-forced">● force-unlock</span>\
            <span><i class="l-gap"></i>coverage gap</span></div>
            """
        h += "<div class=\"timeline-wrap\">\(timeline.svg())</div>"
        if holds.count >= Self.maxItems || writes.count >= Self.maxItems {
            h += "<p class=\"panel\">Only the first \(Self.maxItems) holds or writes of this range are drawn: zoom in for the rest.</p>"
        }
        h += "<h2 id=\"holds\">Holds (\(holds.count))</h2>"
        if holds.isEmpty {
            h += "<p class=\"muted\">No hold in this range.</p>"
        } else {
            h +=
                "<table id=\"holds-table\"><tr><th>who</th><th>operation</th><th>acquired</th><th>released</th><th>end</th><th>run</th><th>evidence</th><th>lock</th><th></th></tr>"
            for (hold, bar) in zip(holds, bars) {
                let a = bar.outerStart ?? from, b = bar.outerEnd ?? q.now
                let pad = max(1_000_000, (b.microseconds - a.microseconds) / 4)
                h += "<tr class=\"hold-row\"><td>\(HTML.escape(hold.text("who") ?? "-"))</td><td>\(HTML.escape(hold.text("operation") ?? "-"))</td>"
                h +=
                    "<td>\(HTML.time(bar.acquired))</td><td>\(bar.released == nil ? "<span class=\"badge b-held\">held</span> seen until \(bar.seenHeldUntil.map(HTML.time) ?? "?")" : HTML.time(bar.released))</td>"
                h += "<td>\(endBadge(hold))</td><td class=\"mono\">\(HTML.escape(hold.text("run_id") ?? "-"))</td>"
                h += "<td>\(eventsLink(hold.evidenceSeqs))</td><td>\(holdLink(hold.text("lock_id")))</td>"
                h += "<td><a href=\"\(view(a.adding(microseconds: -pad), b.adding(microseconds: pad)))\">zoom</a></td></tr>"
            }
            h += "</table>"
        }
        h += "<h2 id=\"writes\">Writes (\(writes.count))</h2>"
        h += writes.isEmpty ? "<p class=\"muted\">No write in this range.</p>" : writesTable(writes, showState: false)
        if !marks.isEmpty || !gaps.isEmpty {
            h += "<h2 id=\"other\">Contention, force-unlocks and gaps</h2><table><tr><th>#</th><th>what</th><th>when</th></tr>"
            for m in marks { h += "<tr><td>\(eventsLink([m.seq]))</td><td>\(HTML.escape(m.label))</td><td>\(HTML.time(m.time))</td></tr>" }
            for g in gaps {
                h +=
                    "<tr><td>\(eventsLink([g.seq]))</td><td>coverage gap of \(HTML.escape(g.source)): \(HTML.escape(g.reason))</td><td>\(HTML.time(g.from)) – \(HTML.time(g.to))</td></tr>"
            }
            h += "</table>"
        }
        return (state, h)
    }

    private func forcedPage(_ context: APIRequestContext, _ q: QueryParameters) async throws -> (String, String) {
        let sinceText = try q.string("since") ?? "90d"
        let since = try QueryParameters.resolve(sinceText, field: "since", now: q.now)
        let until = try q.time("until")
        let holds = try await all { try await store.answers.forced(since: since, until: until, cursor: $0, limit: 1000) }
        let head = try await store.events.head()
        let verified = try await store.verifications.last()
        var h = "<h1>Force-removals</h1>"
        h +=
            "<form class=\"zoom\" method=\"get\" action=\"\(base)/ui/forced\"><label>since <input type=\"text\" name=\"since\" value=\"\(HTML.escape(sinceText))\"></label>"
        h +=
            "<label>until <input type=\"text\" name=\"until\" value=\"\(HTML.escape(try q.string("until") ?? ""))\" placeholder=\"now\"></label><button>Show</button>"
        h +=
            "<a id=\"csv\" href=\"\(base)/ui/forced.csv\(HTML.queryString([("since", since.rfc3339), ("until", until?.rfc3339)]))\">download CSV</a></form>"
        h +=
            "<div class=\"panel\" id=\"chain\"><dl class=\"fields\"><dt>chain head</dt><dd class=\"mono\" id=\"chain-head\">\(head.seq):\(Hex.encode(head.hash))</dd>"
        if let v = verified {
            h +=
                "<dt>last recorded verify</dt><dd id=\"last-verify\"><span class=\"badge \(v.intact ? "b-held" : "b-unlocked")\">\(v.intact ? "intact" : "BROKEN")</span> "
            h += "\(v.events) events, head <span class=\"mono\">\(HTML.escape(v.head))</span>, at \(HTML.time(v.verifiedAt))"
            if let p = v.problem { h += "<br>\(HTML.escape(p))" }
            if v.events < head.seq { h += "<br><span class=\"muted\">\(head.seq - v.events) events appended since</span>" }
            h += "</dd>"
        } else {
            h += "<dt>last recorded verify</dt><dd id=\"last-verify\" class=\"muted\">none recorded yet: run <code>locktrail verify</code></dd>"
        }
        h += "</dl></div>"
        h +=
            "<h2>\(holds.count) force-removed lock\(holds.count == 1 ? "" : "s") since \(HTML.time(since))\(until.map { " until " + HTML.time($0) } ?? "")</h2>"
        h += holds.isEmpty ? "<p class=\"muted\">None.</p>" : forcedTable(holds)
        return ("Force-removals", h)
    }

    private func forcedCSV(_ request: Request) async throws -> Response {
        let q = QueryParameters(request, now: QueryRoutes.now)
        do {
            try await freshness.ensureFresh()
            let since = try q.time("since"), until = try q.time("until")
            let holds = try await all({ try await store.answers.forced(since: since, until: until, cursor: $0, limit: 1000) }, max: .max)
            return ForcedReport.response(holds)
        } catch let error as QueryError {
            return WebPage.error(status: .badRequest, error.message, web: web)
        }
    }

    private func holdPage(_ context: APIRequestContext, _ q: QueryParameters) async throws -> (String, String) {
        let lockID = try q.required("lock_id")
        guard let hold = try await store.answers.hold(lockID: lockID) else {
            throw PageNotFound(
                message:
                    "No source saw a lock with ID \(lockID). (Reports about lock IDs no source saw are listed by `locktrail events --unmatched`.)")
        }
        let events = try await store.answers.events(at: hold.evidenceSeqs)
        var h = "<h1>Hold <span class=\"mono\">\(HTML.escape(lockID))</span></h1><div class=\"panel\"><dl class=\"fields\" id=\"hold-fields\">"
        func row(_ name: String, _ value: String) { h += "<dt>\(name)</dt><dd>\(value)</dd>" }
        row("state", stateLink(hold.text("state")))
        row("workspace", HTML.escape(hold.text("workspace") ?? "-"))
        row("who", HTML.escape(hold.text("who") ?? "-"))
        row("operation", HTML.escape(hold.text("operation") ?? "-"))
        row("version", HTML.escape(hold.text("version") ?? "-"))
        row("created (record)", hold.text("created_at").flatMap(Timestamp.init(parsing:)).map(HTML.time) ?? "-")
        row("acquired", HTML.time(hold.eventTime("acquired")) + " <span class=\"muted\">(\(hold.text("acquired_precision") ?? "?"))</span>")
        row(
            "released",
            hold.eventTime("released").map { HTML.time($0) + " <span class=\"muted\">(\(hold.text("released_precision") ?? "?"))</span>" }
                ?? "not yet — certainly held until \(hold.text("seen_held_until").flatMap(Timestamp.init(parsing:)).map(HTML.time) ?? "unknown") (last seen)"
        )
        row("end", endBadge(hold))
        row("run", HTML.escape(hold.text("run_id") ?? "none known"))
        row("sources", HTML.escape((hold["sources"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")))
        row("mechanisms", HTML.escape((hold["mechanisms"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")))
        let anomalies = (hold["anomalies"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !anomalies.isEmpty { row("anomalies", anomalies.map(HTML.escape).joined(separator: "<br>")) }
        h += "</dl></div>"
        if let state = hold.text("state") {
            let bar = Timeline.HoldBar(json: hold)
            let a = bar.outerStart ?? bar.outerEnd ?? q.now, b = bar.outerEnd ?? q.now
            let pad = max(2_000_000, (b.microseconds - a.microseconds) / 2)
            h +=
                "<p><a id=\"hold-timeline\" href=\"\(base)/ui/state?state=\(HTML.query(state))&since=\(HTML.query(a.adding(microseconds: -pad).rfc3339))&until=\(HTML.query(b.adding(microseconds: pad).rfc3339))\">See it on the state's timeline</a></p>"
        }
        let runEvents = events.filter { $0.event.kind.rawValue.hasPrefix("run.") }
        if !runEvents.isEmpty {
            h += "<h2 id=\"run\">Its run</h2><table><tr><th>#</th><th>kind</th><th>when</th><th>details</th></tr>"
            for e in runEvents {
                let d = e.event.details
                var text = ""
                if e.event.kind == .runStarted {
                    text =
                        "\(d["who"]?.stringValue ?? "?") ran \(d["program"]?.stringValue ?? "") \(d["subcommand"]?.stringValue ?? "") in \(d["directory"]?.stringValue ?? "?")"
                    if let url = d["ci"]?["url"]?.stringValue { text += " · CI \(url)" }
                } else if e.event.kind == .runFinished {
                    text = d["signal"]?.stringValue.map { "killed by \($0)" } ?? "exit \(d["exit_code"]?.numberValue.map { String(Int($0)) } ?? "?")"
                }
                h +=
                    "<tr><td>\(eventsLink([e.seq]))</td><td>\(e.event.kind.rawValue)</td><td>\(HTML.time(e.event.time))</td><td>\(HTML.escape(text))</td></tr>"
            }
            h += "</table>"
        }
        h +=
            "<h2 id=\"evidence\">Evidence</h2><table id=\"evidence-table\"><tr><th>#</th><th>kind</th><th>when</th><th>what it shows</th><th>provenance</th><th>source</th></tr>"
        for e in hold["evidence"]?.arrayValue ?? [] {
            let seq = e["seq"]?.numberValue.map { Int64($0) } ?? 0
            var prov = HTML.escape(e.text("provenance") ?? "?")
            if let by = e.text("reported_by") { prov += " <span class=\"muted\">by \(HTML.escape(by))</span>" }
            if let outcome = e.text("outcome") { prov += " · outcome <b>\(HTML.escape(outcome))</b>" }
            h +=
                "<tr class=\"evidence-row\"><td><a href=\"#event-\(seq)\">#\(seq)</a></td><td>\(HTML.escape(e.text("kind") ?? "?"))</td><td>\(HTML.time(e.eventTime("occurred")))</td>"
            h += "<td>\(HTML.escape(e.text("note") ?? ""))</td><td>\(prov)</td><td class=\"mono\">\(HTML.escape(e.text("source") ?? "?"))</td></tr>"
        }
        h += "</table><h2 id=\"events\">Its events</h2>" + eventList(events)
        return ("Hold \(lockID)", h)
    }

    private func eventList(_ events: [StoredEvent]) -> String {
        var h = ""
        for e in events {
            h +=
                "<div class=\"panel event\" id=\"event-\(e.seq)\"><b>#\(e.seq) \(HTML.escape(e.event.kind.rawValue))</b> · \(HTML.time(e.event.time)) · "
            h += "<span class=\"mono\">\(HTML.escape(e.event.source))</span>\(e.event.state.map { " · " + stateLink($0) } ?? "")"
            h += "<pre>\(HTML.escape(CanonicalJSON.string(e.json)))</pre></div>"
        }
        return h
    }

    private func eventsPage(_ context: APIRequestContext, _ q: QueryParameters) async throws -> (String, String) {
        let text = try q.required("seq")
        let seqs = text.split(separator: ",").compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        guard !seqs.isEmpty, seqs.count <= Answers.maxLimit else {
            throw QueryError(field: "seq", "seq must be event numbers separated by commas (at most \(Answers.maxLimit)).")
        }
        let events = try await store.answers.events(at: seqs)
        if events.isEmpty { throw PageNotFound(message: "No event has those numbers.") }
        return (
            "Events",
            "<h1>Events \(HTML.escape(seqs.prefix(8).map { "#\($0)" }.joined(separator: " ")))\(seqs.count > 8 ? " …" : "")</h1>"
                + "<p class=\"muted\">Each event as stored, with its hash in the chain (<code>locktrail verify</code> checks them).</p>"
                + eventList(events)
        )
    }

    private func searchPage(_ context: APIRequestContext, _ q: QueryParameters) async throws -> (String, String) {
        let text = try q.string("q") ?? ""
        var h =
            "<h1>Search</h1><form class=\"inline\" method=\"get\" action=\"\(base)/ui/search\"><input type=\"search\" name=\"q\" value=\"\(HTML.escape(text))\"><button>Search</button></form>"
        guard !text.isEmpty else { return ("Search", h) }
        let found = try await store.answers.search(text, limit: 200)
        let states = found.filter { $0.kind == "state" }.map(\.value), people = found.filter { $0.kind == "who" }.map(\.value)
        h +=
            "<h2>States (\(states.count))</h2>"
            + (states.isEmpty ? "<p class=\"muted\">None.</p>" : "<ul>" + states.map { "<li>\(stateLink($0))</li>" }.joined() + "</ul>")
        h += "<h2>People (\(people.count))</h2>"
        for who in people.prefix(20) {
            let holds = try await store.answers.history(state: nil, who: who, since: nil, until: nil, cursor: nil, limit: 50).items
            h += "<h3>\(HTML.escape(who))</h3><table><tr><th>state</th><th>acquired</th><th>released</th><th>end</th><th>lock</th></tr>"
            for hold in holds.reversed() {
                h +=
                    "<tr><td>\(stateLink(hold.text("state")))</td><td>\(HTML.time(hold.eventTime("acquired")))</td><td>\(HTML.time(hold.eventTime("released")))</td><td>\(endBadge(hold))</td><td>\(holdLink(hold.text("lock_id")))</td></tr>"
            }
            h += "</table>"
        }
        if people.isEmpty { h += "<p class=\"muted\">None.</p>" }
        return ("Search", h)
    }
}
