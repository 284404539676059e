import ArgumentParser
import Hummingbird
import LocktrailCore
import LocktrailHTTP
import LocktrailNotifications
import LocktrailServer
import LocktrailStore
import Logging
import ServiceLifecycle
import UnixSignals

/// `locktrail serve`: the HTTP API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the query answers over HTTP (/v1/…, /openapi.json, /healthz, /readyz) and the web page (/).",
        discussion:
            "The web page (/, /ui/…) asks for a token with the read scope at /ui/login and keeps a session cookie. Every /v1 route needs a bearer token with the read scope (`locktrail token create --scope read --name NAME`). SIGINT or SIGTERM stops accepting connections and lets requests in flight finish."
    )

    @OptionGroup var db: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Option(name: .long, help: "PostgreSQL connections the server may open.")
    var poolSize: Int = 8

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(name: .long, help: ArgumentHelp("Send webhook notifications as this YAML file says (README: Notifications).", valueName: "file"))
    var notifications: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Serve everything under this path prefix, for a proxy that forwards e.g. /locktrail/… unchanged.", valueName: "path"))
    var basePath: String = ""

    @Flag(name: .long, help: "Mark the web session cookie Secure: the page is reached over HTTPS.")
    var secureCookies = false

    @Flag(
        name: .long, help: "Mark the session cookie Secure when the proxy in front says X-Forwarded-Proto: https (only behind a proxy that sets it).")
    var trustForwardedProto = false

    @Option(name: .long, help: ArgumentHelp("How long a web session lasts (e.g. 8h, 30m).", valueName: "duration"))
    var sessionLifetime: String = "8h"

    func validate() throws {
        guard APIServer.parseListen(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080, not '\(listen)'") }
        guard (1...256).contains(poolSize) else { throw ValidationError("--pool-size must be between 1 and 256") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error")
        }
        guard WebConfiguration.isValidBasePath(basePath) else {
            throw ValidationError("--base-path may hold only letters, digits and -._~/, not '\(basePath)'")
        }
        guard let seconds = TimeExpression.durationSeconds(sessionLifetime), seconds >= 60, seconds <= 30 * 86400 else {
            throw ValidationError("--session-lifetime must be a duration from 1m to 30d, e.g. 8h, not '\(sessionLifetime)'")
        }
    }

    func run() async throws {
        let (host, port) = APIServer.parseListen(listen)!
        var logger = Logger(label: "locktrail.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel)!
        // Read before anything starts, so a bad file is an error, not a server that never notifies.
        var notifier: NotificationConfiguration?
        if let notifications {
            do {
                notifier = try NotificationConfiguration.load(path: notifications)
            } catch {
                Terminal.note("\(error)")
                throw ExitCode(64)
            }
        }
        let store = try await db.openCurrentStore(maxConnections: poolSize)
        // The outbox's backlog and dead letters, from the database: every replica gives them,
        // whether or not it runs the notifier (locktrail_notifications_*, docs/alerts.yml).
        let metricsSources: [any MetricsSource] = [NotificationMetrics(store: store.notifications)]
        let web = WebConfiguration(
            basePath: basePath, secureCookies: secureCookies, trustForwardedProto: trustForwardedProto,
            sessionLifetimeSeconds: TimeExpression.durationSeconds(sessionLifetime)!)
        let app = APIServer.makeApplication(
            store: store, host: host, port: port, logger: logger, web: web,
            metricsSources: metricsSources
        ) { port in
            let shown = host.contains(":") ? "[\(host)]" : host
            Terminal.note("serving on http://\(shown):\(port)\(web.basePath)/ (web page; log in with a read token)")
        }
        if let notifier {
            var notifierLogger = Logger(label: "locktrail.notifier")
            notifierLogger.logLevel = logger.logLevel
            let sender = WebhookSender(transport: CurlHTTPClient(), timeout: notifier.timeout, allowPrivateNetworks: notifier.allowPrivateNetworks)
            let service = NotifierService(store: store, configuration: notifier, sender: sender, logger: notifierLogger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: app), .init(service: service)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } else {
            try await app.runService()
        }
        await store.close()
    }
}
