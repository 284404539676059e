import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailHTTP
import LocktrailStore
import Logging

/// `locktrail backfill`: imports the version history of S3 buckets.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Import the whole version history of S3 buckets, also from before locktrail was installed.",
        discussion: """
            Pages through ListObjectVersions of each bucket (or NAME/PREFIX) and records every
            lock-file version as an acquire and every delete marker as a release at their exact
            times, and every state version as a write, exactly as `collect` does on a versioned
            bucket. Each batch is committed with a checkpoint: run the same command again after an
            interruption and it continues where it stopped; anything imported twice is recorded
            once. Progress goes to standard error, a summary to standard output.

            Run it before pruning old lock-file versions: what S3 no longer keeps cannot be imported.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(
        name: .customLong("s3-bucket"),
        help: ArgumentHelp("A versioned S3 bucket, optionally with a key prefix (repeatable).", valueName: "name[/prefix]"))
    var s3Buckets: [String] = []

    @Option(name: .long, help: ArgumentHelp("The backends' workspace_key_prefix (default env:).", valueName: "prefix"))
    var workspaceKeyPrefix: String = "env:"

    @Option(name: .long, help: "Object versions read at once (default 16).")
    var concurrency: Int = 16

    @Option(name: .long, help: ArgumentHelp("Entries per listing page (tests use small pages).", visibility: .hidden))
    var pageSize: Int = 1000

    @Flag(name: .long, help: "Start from the beginning even if an earlier backfill was interrupted.")
    var fromStart = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "warning"

    func validate() throws {
        guard !s3Buckets.isEmpty else { throw ValidationError("give --s3-bucket NAME[/PREFIX] (repeatable)") }
        for bucket in s3Buckets where S3BucketSource.parse(bucket) == nil {
            throw ValidationError("--s3-bucket takes NAME or NAME/PREFIX, not \(bucket)")
        }
        guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 1000") }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 256") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = Logging.make(level: Logger.Level(rawValue: logLevel)!)
        let aws = try AWSConfiguration.resolve(environment: environment)
        let transport = CurlHTTPClient()
        let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)
        let s3 = S3Client(configuration: aws, credentials: credentials, transport: transport, logger: logger)
        let layout = WorkspaceLayout(prefix: workspaceKeyPrefix)
        let store = try await db.openCurrentStore(maxConnections: 2)
        let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
        for text in s3Buckets {
            let (bucket, prefix) = S3BucketSource.parse(text)!
            let backfill = S3Backfill(bucket: bucket, prefix: prefix, client: s3, layout: layout, concurrency: concurrency, pageSize: pageSize)
            let bar = ProgressLine(terminal: isatty(STDERR_FILENO) == 1)
            let result = try await backfill.run(store: store.backfills, fromStart: fromStart, now: now) { bar.show($0) }
            bar.finish()
            let rate = result.seconds > 0 ? Double(result.appended) / result.seconds : 0
            print(
                "\(result.source): \(result.listed) versions and delete markers, \(result.appended) new events "
                    + "(\(result.duplicates) already recorded) in \(String(format: "%.2f", result.seconds)) s, "
                    + "\(String(format: "%.0f", rate)) events/s")
        }
    }
}
