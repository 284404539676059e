public import Hummingbird
public import LocktrailCore
public import LocktrailMetrics
public import LocktrailStore
public import Logging
import ServiceLifecycle

/// The HTTP API: query answers under `/v1` (read scope), hook ingest at `/v1/hooks/events`
/// (ingest scope), `/healthz`, `/readyz` and `/openapi.json`; and the web page (`/`, `/ui/…`,
/// behind a session). Everything is served under `web.basePath` when one is given.
public enum APIServer {
    /// The router with every route and middleware; `makeApplication` serves it.
    /// `metrics` counts this process's requests; `metricsSources` add to every scrape of
    /// `/metrics` (the notifier's outbox registers its backlog and dead letters here).
    public static func makeRouter(
        store: Store, web: WebConfiguration = WebConfiguration(), metrics: ProcessMetrics = ProcessMetrics(),
        metricsSources: [any MetricsSource] = []
    ) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        let root = router.group(RouterPath(web.basePath))

        root.get("healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        let tokens = TokenCache(tokens: store.tokens)
        // Probes ask without a token and learn only "not ready"; why (a database error, schema
        // versions) goes to the log, and to a client whose token may read.
        // A token is optional here (a probe sends none); a bad one is no token, not a 401.
        root.get("readyz") { request, context in
            let token = await tokens.token(authorizing: request)
            context.token = token
            do {
                try await store.schema.requireCurrent()
                return JSONBody.response(["status": "ready"])
            } catch {
                context.logger.warning("not ready", metadata: ["error": "\(error)"])
                let mayRead = token.map { $0.scopes.contains(.read) || $0.scopes.contains(.admin) } ?? false
                return JSONBody.response(
                    ["error": .string(mayRead ? "not ready: \(error)" : "not ready"), "field": .null],
                    status: .serviceUnavailable)
            }
        }
        root.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }

        // Hook ingest takes an ingest token, queries a read token: each group checks its own scope.
        let hooks = root.group("v1/hooks").add(middleware: TokenMiddleware(scope: .ingest, cache: tokens))
        HookRoutes(events: store.events).register(on: hooks)
        let v1 = root.group("v1").add(middleware: TokenMiddleware(scope: .read, cache: tokens))
        let freshness = DerivationFreshness(derivation: store.derivation)
        QueryRoutes(store: store, freshness: freshness).register(on: v1)
        // Prometheus scrapes with a token of the metrics scope (or read).
        let scrape = root.group("metrics").add(middleware: TokenMiddleware(scope: .metrics, cache: tokens, alternative: .read))
        MetricsRoutes(store: store, freshness: freshness, process: metrics, sources: metricsSources).register(on: scrape)
        WebRoutes(store: store, tokens: tokens, freshness: freshness, web: web).register(on: root)
        return router
    }

    /// The application listening on `host:port`; run it with `runService()` for graceful
    /// shutdown on SIGINT/SIGTERM (in-flight requests finish, then the store closes).
    public static func makeApplication(
        store: Store, host: String, port: Int, logger: Logger, web: WebConfiguration = WebConfiguration(),
        metricsSources: [any MetricsSource] = [],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(store: store, web: web, metricsSources: metricsSources),
            configuration: .init(address: .hostname(host, port: port), serverName: "locktrail"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Parses `HOST:PORT` (`[::1]:8080` for IPv6).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }
}
