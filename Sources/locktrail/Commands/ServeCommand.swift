import ArgumentParser
import Logging
import LocktrailCore
import LocktrailServer
import LocktrailStore
import Hummingbird
import LocktrailHTTP
import LocktrailNotifications
import ServiceLifecycle
import UnixSignals

/// `locktrail serve`: the HTTP API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the query answers over HTTP (/v1/…, /openapi.json, /healthz, /readyz).",
        discussion: "Every /v1 route needs a bearer token with the read scope (`locktrail token create --scope read --name NAME`). SIGINT or SIGTERM stops accepting connections and lets requests in flight finish.")

    @OptionGroup var db: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Option(name: .long, help: "PostgreSQL connections the server may open.")
    var poolSize: Int = 8

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(name: .long, help: ArgumentHelp("Send webhook notifications as this YAML file says (README: Notifications).", valueName: "file"))
    var notifications: String?

    func validate() throws {
        guard APIServer.parseListen(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080, not '\(listen)'") }
        guard (1...256).contains(poolSize) else { throw ValidationError("--pool-size must be between 1 and 256") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error") }
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
        // MERGE POINT (notifications, issue 14 item 2): the notifier's outbox registers here as a
        // MetricsSource giving locktrail_notifications_backlog and locktrail_notifications_dead_letters
        // (the names docs/alerts.yml alerts on).
        let metricsSources: [any MetricsSource] = []
        let app = APIServer.makeApplication(store: store, host: host, port: port, logger: logger, metricsSources: metricsSources) { port in
            Terminal.note("serving on http://\(host):\(port)")
        }
        if let notifier {
            var notifierLogger = Logger(label: "locktrail.notifier")
            notifierLogger.logLevel = logger.logLevel
            let sender = WebhookSender(transport: CurlHTTPClient(), timeout: notifier.timeout, allowPrivateNetworks: notifier.allowPrivateNetworks)
            let service = NotifierService(store: store, configuration: notifier, sender: sender, logger: notifierLogger)
            let group = ServiceGroup(configuration: .init(services: [.init(service: app), .init(service: service)],
                                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } else {
            try await app.runService()
        }
        await store.close()
    }
}
