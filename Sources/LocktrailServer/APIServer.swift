public import Hummingbird
public import Logging
import LocktrailCore
public import LocktrailStore
import ServiceLifecycle

/// The HTTP API: query answers under `/v1` (read scope), hook ingest at `/v1/hooks/events`
/// (ingest scope), `/healthz`, `/readyz` and `/openapi.json`.
public enum APIServer {
    /// The router with every route and middleware; `makeApplication` serves it.
    public static func makeRouter(store: Store) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: ErrorMiddleware())

        router.get("healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        let tokens = TokenCache(tokens: store.tokens)
        // Probes ask without a token and learn only "not ready"; why (a database error, schema
        // versions) goes to the log, and to a client whose token may read.
        // A token is optional here (a probe sends none); a bad one is no token, not a 401.
        router.get("readyz") { request, context in
            let token = await tokens.token(authorizing: request)
            context.token = token
            do {
                try await store.schema.requireCurrent()
                return JSONBody.response(["status": "ready"])
            } catch {
                context.logger.warning("not ready", metadata: ["error": "\(error)"])
                let mayRead = token.map { $0.scopes.contains(.read) || $0.scopes.contains(.admin) } ?? false
                return JSONBody.response(["error": .string(mayRead ? "not ready: \(error)" : "not ready"), "field": .null],
                                         status: .serviceUnavailable)
            }
        }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }

        // Hook ingest takes an ingest token, queries a read token: each group checks its own scope.
        let hooks = router.group("v1/hooks").add(middleware: TokenMiddleware(scope: .ingest, cache: tokens))
        HookRoutes(events: store.events).register(on: hooks)
        let v1 = router.group("v1").add(middleware: TokenMiddleware(scope: .read, cache: tokens))
        QueryRoutes(store: store, freshness: DerivationFreshness(derivation: store.derivation)).register(on: v1)
        return router
    }

    /// The application listening on `host:port`; run it with `runService()` for graceful
    /// shutdown on SIGINT/SIGTERM (in-flight requests finish, then the store closes).
    public static func makeApplication(
        store: Store, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(store: store),
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
