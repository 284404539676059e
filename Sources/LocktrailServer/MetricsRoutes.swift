import Foundation
public import Hummingbird
import LocktrailCore
public import LocktrailMetrics
import LocktrailStore
public import Logging

/// `GET /metrics`: the database's values (the same on every replica), then what other parts
/// register (the notifier's outbox), then this process's own (HTTP requests).
struct MetricsRoutes {
    let store: Store
    let freshness: DerivationFreshness
    let process: ProcessMetrics
    let sources: [any MetricsSource]

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get { _, context in
            // Counters follow the derived holds and writes: fold in the log's new events first.
            try await freshness.ensureFresh()
            let now = Timestamp(secondsSinceEpoch: Date.now.timeIntervalSince1970)
            var samples = try await store.metrics.samples(now: now)
            for source in sources {
                do {
                    samples += try await source.samples(now: now)
                } catch {
                    // One part failing leaves the rest of the scrape; its own family is missing, which alerts can see.
                    context.logger.warning("a metrics source failed", metadata: ["source": "\(type(of: source))", "error": "\(error)"])
                }
            }
            var body = MetricsExposition.render(samples)
            body += process.render()
            return Response(
                status: .ok, headers: [.contentType: MetricsExposition.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}

/// Counts every request in `ProcessMetrics` by route pattern, method and status (after the error
/// middleware turned errors into responses).
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: ProcessMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.request(route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.request(route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: error.status.code)
            throw error
        } catch {
            metrics.request(route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: 500)
            throw error
        }
    }
}

/// A listener that serves only `GET /metrics` of one process (`collect --metrics-listen`): no
/// token (bind it where only Prometheus reaches), no database.
public enum ProcessMetricsServer {
    /// The application on `host:port`.
    public static func makeApplication(
        metrics: ProcessMetrics, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: MetricsExposition.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "locktrail-collect"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
