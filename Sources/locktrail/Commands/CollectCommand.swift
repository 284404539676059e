import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailHTTP
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
            DynamoDB table is read with a strongly consistent, paginated Scan. An S3 bucket
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
            AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3,
            AWS_ENDPOINT_URL_SQS and ~/.aws files.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .customLong("dynamodb-table"), help: ArgumentHelp("A DynamoDB lock table to watch (repeatable).", valueName: "name"))
    var dynamoDBTables: [String] = []

    @Option(name: .customLong("s3-bucket"), help: ArgumentHelp("An S3 bucket, optionally with a key prefix, to watch (repeatable).", valueName: "name[/prefix]"))
    var s3Buckets: [String] = []

    @Option(name: .customLong("s3-queue"), help: ArgumentHelp("The SQS queue the --s3-bucket buckets send their event notifications to (push: changes within seconds).", valueName: "url"))
    var s3Queue: String?

    @Option(name: .long, help: ArgumentHelp("Time between reconciliations: a versioned bucket's whole version history, and with push the listing that repairs what push missed (default 10m).", valueName: "duration"))
    var reconcileInterval: String = "10m"

    @Option(name: .long, help: ArgumentHelp("A YAML file listing sources (see README).", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Run one cycle per source and exit.")
    var once = false

    @Option(name: .long, help: ArgumentHelp("Time between cycles, e.g. 30s, 2m (default 30s).", valueName: "duration"))
    var interval: String = "30s"

    @Option(name: .long, help: ArgumentHelp("The backends' workspace_key_prefix (default env:).", valueName: "prefix"))
    var workspaceKeyPrefix: String = "env:"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        for bucket in s3Buckets where S3BucketSource.parse(bucket) == nil {
            throw ValidationError("--s3-bucket takes NAME or NAME/PREFIX, not \(bucket)")
        }
        guard TimeExpression.duration(interval, bareNumberIsSeconds: true) != nil else { throw ValidationError("--interval takes a duration such as 30s, 5m or 1h") }
        guard TimeExpression.duration(reconcileInterval, bareNumberIsSeconds: true) != nil else {
            throw ValidationError("--reconcile-interval takes a duration such as 10m or 1h")
        }
        if let s3Queue {
            guard !s3Buckets.isEmpty else { throw ValidationError("--s3-queue needs the --s3-bucket buckets whose notifications it receives") }
            guard s3Queue.hasPrefix("https://") || s3Queue.hasPrefix("http://") else {
                throw ValidationError("--s3-queue takes the queue's URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), not \(s3Queue)")
            }
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = Logging.make(level: Logger.Level(rawValue: logLevel)!)
        let composition: CollectorComposition
        do {
            composition = try CollectorComposition(
                dynamoDBTables: dynamoDBTables, s3Buckets: s3Buckets, configuration: try config.map(CollectorConfiguration.load(path:)),
                interval: TimeExpression.duration(interval, bareNumberIsSeconds: true)!, workspaceKeyPrefix: workspaceKeyPrefix,
                environment: environment, s3Queue: s3Queue,
                reconcileInterval: TimeExpression.duration(reconcileInterval, bareNumberIsSeconds: true)!)
        } catch let error as CollectorComposition.NoSourcesError {
            throw ValidationError(error.description)
        }
        let transport = CurlHTTPClient()
        let schedules = try composition.schedules(transport: transport, logger: logger)
        let listeners = try composition.listeners(transport: transport, logger: logger)
        let store = try await db.openCurrentStore(maxConnections: 4)
        let service = CollectorService(schedules: schedules, listeners: listeners, store: store.sources, once: once, logger: logger)
        if once {
            for report in try await service.runOnce() {
                print("\(report.source): \(report.items) items, \(report.appended) new events\(report.tableMissing ? " (table missing)" : "")")
            }
            return
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
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
