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
            its own interval). AWS settings are the standard ones: AWS_REGION, AWS_PROFILE,
            AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB,
            AWS_ENDPOINT_URL_DYNAMODB_STREAMS, AWS_ENDPOINT_URL_S3
            and ~/.aws files.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .customLong("dynamodb-table"), help: ArgumentHelp("A DynamoDB lock table to watch (repeatable).", valueName: "name"))
    var dynamoDBTables: [String] = []

    @Option(name: .customLong("s3-bucket"), help: ArgumentHelp("An S3 bucket, optionally with a key prefix, to watch (repeatable).", valueName: "name[/prefix]"))
    var s3Buckets: [String] = []

    @Option(name: .long, help: ArgumentHelp("A YAML file listing sources (see README).", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Run one cycle per source and exit.")
    var once = false

    @Option(name: .long, help: ArgumentHelp("Time between cycles, e.g. 30s, 2m (default 30s).", valueName: "duration"))
    var interval: String = "30s"

    @Flag(name: .long, help: "Never read DynamoDB Streams: scan every --interval (or stream: false per source in the YAML).")
    var noStream = false

    @Option(name: .long, help: ArgumentHelp("With a stream, time between reconciliation scans (default 10m).", valueName: "duration"))
    var reconcileInterval: String = "10m"

    @Option(name: .long, help: ArgumentHelp("Stream records per commit (default 10000).", valueName: "n"))
    var streamBatch: Int = 10_000

    @Option(name: .long, help: ArgumentHelp("The backends' workspace_key_prefix (default env:).", valueName: "prefix"))
    var workspaceKeyPrefix: String = "env:"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        for bucket in s3Buckets where S3BucketSource.parse(bucket) == nil {
            throw ValidationError("--s3-bucket takes NAME or NAME/PREFIX, not \(bucket)")
        }
        guard TimeExpression.duration(interval, bareNumberIsSeconds: true) != nil else { throw ValidationError("--interval takes a duration such as 30s, 5m or 1h") }
        guard let reconcile = TimeExpression.duration(reconcileInterval, bareNumberIsSeconds: true), reconcile > 0 else {
            throw ValidationError("--reconcile-interval takes a duration such as 10m or 1h")
        }
        guard streamBatch > 0 else { throw ValidationError("--stream-batch takes a positive number") }
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
                environment: environment, stream: !noStream,
                reconcileInterval: TimeExpression.duration(reconcileInterval, bareNumberIsSeconds: true)!, streamBatch: streamBatch)
        } catch let error as CollectorComposition.NoSourcesError {
            throw ValidationError(error.description)
        }
        let schedules = try composition.schedules(transport: CurlHTTPClient(), logger: logger)
        let store = try await db.openCurrentStore(maxConnections: 4)
        let service = CollectorService(schedules: schedules, store: store.sources, once: once, logger: logger)
        if once {
            for report in try await service.runOnce() {
                var line = "\(report.source): \(report.items) items, \(report.appended) new events\(report.tableMissing ? " (table missing)" : "")"
                if report.mode != .scan { line += ", \(report.streamRecords) stream records, \(report.repaired) repaired by reconciliation" }
                if let reason = report.scanReason { line += " (scans: \(reason))" }
                print(line)
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
