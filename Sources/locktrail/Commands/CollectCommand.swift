import ArgumentParser
import Foundation
import Logging
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
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

            Sources come from --dynamodb-table and --s3-bucket (repeatable), or
            LOCKTRAIL_DYNAMODB_TABLES and LOCKTRAIL_S3_BUCKETS (comma-separated). AWS settings are
            the standard ones: AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL,
            AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3 and ~/.aws files.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .customLong("dynamodb-table"), help: ArgumentHelp("A DynamoDB lock table to watch (repeatable).", valueName: "name"))
    var dynamoDBTables: [String] = []

    @Option(name: .customLong("s3-bucket"), help: ArgumentHelp("An S3 bucket, optionally with a key prefix, to watch (repeatable).", valueName: "name[/prefix]"))
    var s3Buckets: [String] = []

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
        guard Duration.seconds(parsing: interval) != nil else { throw ValidationError("--interval takes a duration such as 30s, 5m or 1h") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func list(_ variable: String) -> [String] {
            (environment[variable] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var tables = dynamoDBTables
        var buckets = s3Buckets
        if tables.isEmpty && buckets.isEmpty {
            tables = list("LOCKTRAIL_DYNAMODB_TABLES")
            buckets = list("LOCKTRAIL_S3_BUCKETS")
        }
        guard !tables.isEmpty || !buckets.isEmpty else {
            throw ValidationError("no sources: give --dynamodb-table NAME or --s3-bucket NAME[/PREFIX] (repeatable), or set LOCKTRAIL_DYNAMODB_TABLES or LOCKTRAIL_S3_BUCKETS")
        }
        let parsedBuckets = try buckets.map { text in
            guard let parsed = S3BucketSource.parse(text) else { throw ValidationError("LOCKTRAIL_S3_BUCKETS: \(text) is not NAME or NAME/PREFIX") }
            return parsed
        }
        let seconds = Duration.seconds(parsing: interval)!
        let logger = Logging.make(level: Logger.Level(rawValue: logLevel)!)

        let aws = try AWSConfiguration.resolve(environment: environment)
        let transport = CurlHTTPClient()
        let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)
        let layout = WorkspaceLayout(prefix: workspaceKeyPrefix)
        var schedules: [CollectorService.Schedule] = []
        if !tables.isEmpty {
            // S3 finds each bucket's region itself; DynamoDB needs one.
            let region = try aws.requireRegion()
            let client = try DynamoDBClient(configuration: aws, credentials: credentials, transport: transport)
            schedules += tables.map {
                CollectorService.Schedule(
                    source: DynamoDBLockTableSource(table: $0, region: region, client: client, layout: layout, gapThreshold: max(3 * seconds, 60)),
                    interval: seconds)
            }
        }
        if !parsedBuckets.isEmpty {
            let s3 = S3Client(configuration: aws, credentials: credentials, transport: transport, logger: logger)
            schedules += parsedBuckets.map {
                CollectorService.Schedule(
                    source: S3BucketSource(bucket: $0.bucket, prefix: $0.prefix, client: s3, layout: layout, gapThreshold: max(3 * seconds, 60)),
                    interval: seconds)
            }
        }

        let pool = try await db.openCurrentPool(maxConnections: 4)
        let service = CollectorService(schedules: schedules, pool: pool, once: once, logger: logger)
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

extension Duration {
    /// Seconds in `30s`, `5m`, `1h`, `2d` or a plain number of seconds; nil if unreadable or not positive.
    static func seconds(parsing text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = Substring(text)
        var unit = 1.0
        if let last = text.last, let u = units[last] {
            unit = u
            number = text.dropLast()
        }
        guard let value = Double(number), value > 0 else { return nil }
        return value * unit
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
