import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailHTTP
import LocktrailStore
import Logging
import ServiceLifecycle

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
            its own interval). AWS settings are the standard ones: AWS_REGION, AWS_PROFILE,
            AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3
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

    @Option(name: .long, help: ArgumentHelp("The backends' workspace_key_prefix (default env:).", valueName: "prefix"))
    var workspaceKeyPrefix: String = "env:"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        for bucket in s3Buckets where S3BucketSource.parse(bucket) == nil {
            throw ValidationError("--s3-bucket takes NAME or NAME/PREFIX, not \(bucket)")
        }
        guard TimeExpression.duration(interval, bareNumberIsSeconds: true) != nil else { throw ValidationError("--interval takes a duration such as 30s, 5m or 1h") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = Logging.make(level: Logger.Level(rawValue: logLevel)!)
        let defaultInterval = TimeExpression.duration(interval, bareNumberIsSeconds: true)!

        // Sources from the flags, the environment or the configuration file, each with the AWS
        // settings it needs: profile and region override the environment's.
        func list(_ variable: String) -> [String] {
            (environment[variable] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var sources: [CollectorConfiguration.Source] = dynamoDBTables.map { .init(dynamoDBTable: $0) } + s3Buckets.map { .init(s3Bucket: $0) }
        if sources.isEmpty {
            sources = list("LOCKTRAIL_DYNAMODB_TABLES").map { .init(dynamoDBTable: $0) } + list("LOCKTRAIL_S3_BUCKETS").map { .init(s3Bucket: $0) }
        }
        var fileInterval: Double?
        if let config {
            let file = try CollectorConfiguration.load(path: config)
            sources += file.sources
            fileInterval = file.interval.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) }
        }
        guard !sources.isEmpty else {
            throw ValidationError("no sources: give --dynamodb-table NAME or --s3-bucket NAME[/PREFIX] (repeatable), set LOCKTRAIL_DYNAMODB_TABLES or LOCKTRAIL_S3_BUCKETS, or list them in --config FILE")
        }

        let transport = CurlHTTPClient()
        var schedules: [CollectorService.Schedule] = []
        for source in sources {
            var env = environment
            if let profile = source.profile { env["AWS_PROFILE"] = profile }
            if let region = source.region { env["AWS_REGION"] = region }
            if let endpoint = source.endpointURL {
                env[source.s3Bucket == nil ? "AWS_ENDPOINT_URL_DYNAMODB" : "AWS_ENDPOINT_URL_S3"] = endpoint
            }
            let aws = try AWSConfiguration.resolve(environment: env)
            let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)
            let seconds = source.interval.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) } ?? fileInterval ?? defaultInterval
            let layout = WorkspaceLayout(prefix: source.workspaceKeyPrefix ?? workspaceKeyPrefix)
            if let bucket = source.s3Bucket.flatMap(S3BucketSource.parse) {
                // S3 finds each bucket's region itself.
                let s3 = S3Client(configuration: aws, credentials: credentials, transport: transport, logger: logger)
                schedules.append(CollectorService.Schedule(
                    source: S3BucketSource(bucket: bucket.bucket, prefix: bucket.prefix, client: s3, layout: layout,
                                           gapThreshold: max(3 * seconds, 60)),
                    interval: seconds))
            } else if let table = source.dynamoDBTable {
                let client = try DynamoDBClient(configuration: aws, credentials: credentials, transport: transport)
                schedules.append(CollectorService.Schedule(
                    source: DynamoDBLockTableSource(table: table, region: try aws.requireRegion(), client: client, layout: layout,
                                                    gapThreshold: max(3 * seconds, 60)),
                    interval: seconds))
            }
        }

        let pool = try await db.openCurrentPool(maxConnections: 4)
        let service = CollectorService(schedules: schedules, store: SourceStore(pool: pool), once: once, logger: logger)
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
