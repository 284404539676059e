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
        abstract: "Record lock acquire/release events and state writes from DynamoDB lock tables.",
        discussion: """
            Polls each source with a strongly consistent, paginated Scan, diffs it against what
            was seen last and records the changes. Runs until SIGTERM/SIGINT (the cycle in flight
            completes); --once runs one cycle per source and exits.

            Sources come from --dynamodb-table (repeatable), LOCKTRAIL_DYNAMODB_TABLES
            (comma-separated), or a YAML file given with --config (many sources across
            accounts, regions and profiles, each with its own interval). AWS settings are the
            standard ones: AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL,
            AWS_ENDPOINT_URL_DYNAMODB and ~/.aws files.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .customLong("dynamodb-table"), help: ArgumentHelp("A DynamoDB lock table to watch (repeatable).", valueName: "name"))
    var dynamoDBTables: [String] = []

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
        guard DurationText.seconds(interval) != nil else { throw ValidationError("--interval takes a duration such as 30s, 5m or 1h") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = Logging.make(level: Logger.Level(rawValue: logLevel)!)
        let defaultInterval = DurationText.seconds(interval)!

        // Sources from the flags, the environment or the configuration file, each with the AWS
        // settings it needs: profile and region override the environment's.
        var sources: [CollectorConfiguration.Source] = dynamoDBTables.map { .init(dynamoDBTable: $0) }
        if sources.isEmpty, let fromEnv = environment["LOCKTRAIL_DYNAMODB_TABLES"] {
            sources = fromEnv.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .map { .init(dynamoDBTable: $0) }
        }
        var fileInterval: Double?
        if let config {
            let file = try CollectorConfiguration.load(path: config)
            sources += file.sources
            fileInterval = file.interval.flatMap(DurationText.seconds)
        }
        guard !sources.isEmpty else {
            throw ValidationError("no sources: give --dynamodb-table NAME (repeatable), set LOCKTRAIL_DYNAMODB_TABLES, or list them in --config FILE")
        }

        let transport = CurlHTTPClient()
        var schedules: [CollectorService.Schedule] = []
        for source in sources {
            var env = environment
            if let profile = source.profile { env["AWS_PROFILE"] = profile }
            if let region = source.region { env["AWS_REGION"] = region }
            if let endpoint = source.endpointURL { env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint }
            let aws = try AWSConfiguration.resolve(environment: env)
            let region = try aws.requireRegion()
            let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)
            let client = try DynamoDBClient(configuration: aws, credentials: credentials, transport: transport)
            let seconds = source.interval.flatMap(DurationText.seconds) ?? fileInterval ?? defaultInterval
            let layout = WorkspaceLayout(prefix: source.workspaceKeyPrefix ?? workspaceKeyPrefix)
            schedules.append(CollectorService.Schedule(
                source: DynamoDBLockTableSource(table: source.dynamoDBTable!, region: region, client: client, layout: layout,
                                                gapThreshold: max(3 * seconds, 60)),
                interval: seconds))
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

/// Structured logs on standard error.
enum Logging {
    static func make(level: Logger.Level) -> Logger {
        var logger = Logger(label: "locktrail") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
