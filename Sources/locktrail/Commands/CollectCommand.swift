import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailCrypto
import LocktrailHTTP
import LocktrailMetrics
import LocktrailServer
import LocktrailStore
import Logging
import ServiceLifecycle
import UnixSignals

/// `locktrail collect`: the collector.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Record lock acquire/release events and state writes from DynamoDB lock tables and S3 buckets.",
        discussion: """
            Polls each source, diffs it against what was seen last and records the changes. A
            DynamoDB table is read with a strongly consistent, paginated Scan or, when the table
            has a stream with NEW_AND_OLD_IMAGES, through its stream within seconds (the scan
            then reconciles every --reconcile-interval; --no-stream turns this off). An S3 bucket
            (optionally NAME/PREFIX) is read through its version history when versioning is
            enabled (the exact time of every acquire and release, also of locks shorter than the
            interval), otherwise through listings; lock files and new state versions are read,
            states only their first KiB. Runs until SIGTERM/SIGINT (the cycle in flight
            completes); --once runs one cycle per source and exits.

            Sources come from --dynamodb-table and --s3-bucket (repeatable),
            LOCKTRAIL_DYNAMODB_TABLES and LOCKTRAIL_S3_BUCKETS (comma-separated), or a YAML file
            given with --config (many sources across accounts, regions and profiles, each with
            its own interval). With --s3-queue (queue_url: in the YAML) the buckets' event
            notifications are read from SQS as they arrive, and listings only reconcile every
            --reconcile-interval. A versioned bucket's cycles list its current objects and read
            the versions of the keys that changed; its whole version history is walked every
            --reconcile-interval. AWS settings are the standard ones: AWS_REGION, AWS_PROFILE,
            AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB,
            AWS_ENDPOINT_URL_DYNAMODB_STREAMS, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SQS and ~/.aws
            files. A DynamoDB table whose stream carries new and old images is read through the
            stream continuously (--no-stream turns it off), and scanned every --reconcile-interval.

            Several collectors may run with the same sources against one database: each source
            is polled by the one collector holding its lease, renewed every third of
            --lease-duration (default: the source's interval, at least 15s); when the owner dies
            or loses the database another takes over within two lease durations. `locktrail
            sources` shows who owns what. --once takes no lease.

            With --checkpoint-key and --checkpoint-out, the chain head is signed every
            --checkpoint-every (default 10m) into the directory or S3 prefix, by whichever
            collector holds that place's lease: several collectors write one chain.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .customLong("dynamodb-table"), help: ArgumentHelp("A DynamoDB lock table to watch (repeatable).", valueName: "name"))
    var dynamoDBTables: [String] = []

    @Option(
        name: .customLong("s3-bucket"),
        help: ArgumentHelp("An S3 bucket, optionally with a key prefix, to watch (repeatable).", valueName: "name[/prefix]"))
    var s3Buckets: [String] = []

    @Option(
        name: .customLong("s3-queue"),
        help: ArgumentHelp(
            "The SQS queue the --s3-bucket buckets send their event notifications to (push: changes within seconds).", valueName: "url"))
    var s3Queue: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Time between reconciliations: a versioned bucket's whole version history, and with push (a stream or a queue) the scan or listing that repairs what push missed (default 10m).",
            valueName: "duration"))
    var reconcileInterval: String = "10m"

    @Option(name: .long, help: ArgumentHelp("A YAML file listing sources (see README).", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Run one cycle per source and exit.")
    var once = false

    @Option(name: .long, help: ArgumentHelp("Time between cycles, e.g. 30s, 2m (default 30s).", valueName: "duration"))
    var interval: String = "30s"

    @Flag(name: .long, help: "Never read DynamoDB Streams: scan every --interval (or stream: false per source in the YAML).")
    var noStream = false

    @Option(name: .long, help: ArgumentHelp("Stream records per commit (default 10000).", valueName: "n"))
    var streamBatch: Int = 10_000

    @Option(name: .long, help: ArgumentHelp("The backends' workspace_key_prefix (default env:).", valueName: "prefix"))
    var workspaceKeyPrefix: String = "env:"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How long a source's lease lasts unless renewed (renewed every third of it); takeover within twice this. Default: the interval, at least 15s.",
            valueName: "duration"))
    var leaseDuration: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Sign the chain head periodically with this private key (PEM PKCS#8, from `checkpoint keygen`).", valueName: "file"))
    var checkpointKey: String?

    @Option(name: .long, help: ArgumentHelp("Where the periodic checkpoints go: a directory or s3://BUCKET/PREFIX.", valueName: "dir|s3://…"))
    var checkpointOut: String?

    @Option(name: .long, help: ArgumentHelp("Time between periodic checkpoints (default 10m).", valueName: "duration"))
    var checkpointEvery: String = "10m"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(
        name: .customLong("metrics-listen"),
        help: ArgumentHelp(
            "Serve this collector's own metrics (cycle durations, errors, events appended) at http://ADDR/metrics, without a token.",
            valueName: "host:port"))
    var metricsListen: String?

    func validate() throws {
        for bucket in s3Buckets where S3BucketSource.parse(bucket) == nil {
            throw ValidationError("--s3-bucket takes NAME or NAME/PREFIX, not \(bucket)")
        }
        guard TimeExpression.duration(interval, bareNumberIsSeconds: true) != nil else {
            throw ValidationError("--interval takes a duration such as 30s, 5m or 1h")
        }
        guard let reconcile = TimeExpression.duration(reconcileInterval, bareNumberIsSeconds: true), reconcile > 0 else {
            throw ValidationError("--reconcile-interval takes a duration such as 10m or 1h")
        }
        guard streamBatch > 0 else { throw ValidationError("--stream-batch takes a positive number") }
        if let s3Queue {
            guard !s3Buckets.isEmpty else { throw ValidationError("--s3-queue needs the --s3-bucket buckets whose notifications it receives") }
            guard s3Queue.hasPrefix("https://") || s3Queue.hasPrefix("http://") else {
                throw ValidationError("--s3-queue takes the queue's URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), not \(s3Queue)")
            }
        }
        if let metricsListen {
            guard APIServer.parseListen(metricsListen) != nil else {
                throw ValidationError("--metrics-listen must be HOST:PORT, e.g. 127.0.0.1:9464")
            }
            guard !once else { throw ValidationError("--metrics-listen is for a long-running collector, not --once") }
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error")
        }
        if let leaseDuration {
            guard let seconds = TimeExpression.duration(leaseDuration, bareNumberIsSeconds: true), seconds >= 1 else {
                throw ValidationError("--lease-duration takes a duration of at least 1s, such as 30s or 2m")
            }
        }
        guard (checkpointKey == nil) == (checkpointOut == nil) else {
            throw ValidationError("--checkpoint-key and --checkpoint-out go together: the key that signs and where its checkpoints go")
        }
        if checkpointKey != nil {
            guard !once else { throw ValidationError("--once signs no periodic checkpoints: use `locktrail checkpoint create`") }
            guard let every = TimeExpression.duration(checkpointEvery, bareNumberIsSeconds: true), every >= 1 else {
                throw ValidationError("--checkpoint-every takes a duration of at least 1s, such as 10m or 1h")
            }
            if let out = checkpointOut, out.hasPrefix("s3://"), S3CheckpointLocation(out) == nil {
                throw ValidationError("--checkpoint-out takes a directory or s3://BUCKET/PREFIX")
            }
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = Logging.make(level: Logger.Level(rawValue: logLevel)!)
        let composition: CollectorComposition
        do {
            composition = try CollectorComposition(
                dynamoDBTables: dynamoDBTables, s3Buckets: s3Buckets, configuration: try config.map(CollectorConfiguration.load(path:)),
                interval: TimeExpression.duration(interval, bareNumberIsSeconds: true)!, workspaceKeyPrefix: workspaceKeyPrefix,
                environment: environment, s3Queue: s3Queue, stream: !noStream,
                reconcileInterval: TimeExpression.duration(reconcileInterval, bareNumberIsSeconds: true)!, streamBatch: streamBatch)
        } catch let error as CollectorComposition.NoSourcesError {
            throw ValidationError(error.description)
        }
        let transport = CurlHTTPClient()
        let schedules = try composition.schedules(transport: transport, logger: logger)
        let listeners = try composition.listeners(transport: transport, logger: logger)
        let store = try await db.openCurrentStore(maxConnections: 4)
        let metrics = ProcessMetrics()
        if once {
            let service = CollectorService(
                schedules: schedules, listeners: listeners, store: store.sources, once: true, logger: logger, maintenance: store,
                metrics: metrics)
            for report in try await service.runOnce() {
                var line = "\(report.source): \(report.items) items, \(report.appended) new events\(report.tableMissing ? " (table missing)" : "")"
                if report.mode != .scan { line += ", \(report.streamRecords) stream records, \(report.repaired) repaired by reconciliation" }
                if let reason = report.scanReason { line += " (scans: \(reason))" }
                print(line)
            }
            return
        }
        // Leases on connections of their own, so renewals never wait behind a long commit.
        let leases = try await db.openCurrentStore(maxConnections: 2).leases
        let leaseSeconds = leaseDuration.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) }
        let service = CollectorService(
            schedules: schedules, listeners: listeners, store: store.sources, once: false, logger: logger, maintenance: store,
            metrics: metrics, leases: leases, leaseDuration: leaseSeconds)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let checkpointKey, let checkpointOut {
            let key = try Ed25519SigningKey(pem: String(contentsOfFile: checkpointKey, encoding: .utf8))
            let place = checkpointPlace(checkpointOut)
            if let directory = place as? CheckpointDirectory { try directory.create() }
            let name = PeriodicCheckpoints.leaseName(checkpointOut)
            services.append(
                .init(
                    service: PeriodicCheckpoints(
                        place: place, location: checkpointOut, key: key, keyID: try key.verifyingKey().keyID(),
                        every: TimeExpression.duration(checkpointEvery, bareNumberIsSeconds: true)!, events: store.events,
                        keeper: LeaseKeeper(
                            name: name, holder: .thisProcess, timings: LeaseTimings(interval: 0, duration: leaseSeconds),
                            leases: leases, logger: logger),
                        logger: logger), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let metricsListen, let (host, port) = APIServer.parseListen(metricsListen) {
            let app = ProcessMetricsServer.makeApplication(metrics: metrics, host: host, port: port, logger: logger) { port in
                logger.notice("collector metrics listening", metadata: ["address": "\(host):\(port)"])
            }
            services.append(.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Structured logs on standard error.
enum Logging {
    static func make(level: Logger.Level) -> Logger {
        var logger = Logger(label: "locktrail") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
