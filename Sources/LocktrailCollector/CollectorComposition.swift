import Foundation
import LocktrailAWS
import LocktrailCore
public import LocktrailHTTP
public import Logging

/// `locktrail collect`'s sources, put together from its flags, the environment and the YAML
/// file, each with the AWS settings it runs with.
///
/// A YAML source's own `profile`, `region` and `endpoint_url` win over the process's: in
/// particular a `profile:` drops the process's `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/
/// `AWS_SESSION_TOKEN` for that source, because AWS's chain reads those before any profile and
/// the source would otherwise run, silently, with the wrong account's keys.
public struct CollectorComposition: Sendable {
    /// One source, with everything its schedule is built from.
    public struct Source: Sendable, Equatable {
        /// The source as configured.
        public var configured: CollectorConfiguration.Source
        /// The environment its AWS configuration and credentials resolve from.
        public var environment: [String: String]
        /// Seconds between cycles.
        public var interval: Double
        /// The backends' `workspace_key_prefix`.
        public var workspaceKeyPrefix: String
        /// The SQS queue of an S3 bucket's event notifications; nil to poll only.
        public var queueURL: String?
        /// Whether a DynamoDB source reads its table's stream when it has one.
        public var stream: Bool = true
        /// Seconds between reconciliations (with a stream, the scan; a versioned bucket's whole
        /// version history; with a queue, the listing that repairs what push missed).
        public var reconcileInterval: Double = 600

        /// A pause between successful cycles longer than this is a coverage gap: three missed
        /// cycles, and never less than a minute, so a slow scan is not mistaken for an outage.
        /// With a queue, cycles run when there is news or a reconciliation is due, and the queue
        /// keeps what arrives meanwhile: three reconciliation intervals.
        public var gapThreshold: Double { max(3 * (queueURL == nil ? interval : reconcileInterval), 60) }
    }

    /// There is nothing to collect.
    public struct NoSourcesError: Error, CustomStringConvertible {
        /// Where sources can come from.
        public var description: String {
            "no sources: give --dynamodb-table NAME or --s3-bucket NAME[/PREFIX] (repeatable), set LOCKTRAIL_DYNAMODB_TABLES or LOCKTRAIL_S3_BUCKETS, or list them in --config FILE"
        }
    }

    /// The process's credential variables that a source's own `profile` replaces.
    static let credentialVariables = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]

    /// The sources, in order: flags (or, without flags, `LOCKTRAIL_DYNAMODB_TABLES` and
    /// `LOCKTRAIL_S3_BUCKETS`), then the configuration file's.
    public let sources: [Source]

    /// Puts the sources together. `configuration` is the parsed `--config` file, if any;
    /// `interval` the `--interval` default, which the file's own `interval` overrides.
    ///
    /// `s3Queue` is the queue of the `s3Buckets` given as flags; `reconcileInterval` the
    /// `--reconcile-interval` default, which the file's `reconcile_interval` overrides.
    public init(
        dynamoDBTables: [String], s3Buckets: [String], configuration: CollectorConfiguration?, interval: Double,
        workspaceKeyPrefix: String, environment: [String: String], s3Queue: String? = nil, stream: Bool = true,
        reconcileInterval: Double = 600, streamBatch: Int = 10_000
    ) throws {
        self.streamBatch = streamBatch
        func list(_ variable: String) -> [String] {
            (environment[variable] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var configured: [CollectorConfiguration.Source] =
            dynamoDBTables.map { .init(dynamoDBTable: $0) }
            + s3Buckets.map { bucket in
                var source = CollectorConfiguration.Source(s3Bucket: bucket)
                source.queueURL = s3Queue
                return source
            }
        if configured.isEmpty {
            configured = list("LOCKTRAIL_DYNAMODB_TABLES").map { .init(dynamoDBTable: $0) } + list("LOCKTRAIL_S3_BUCKETS").map { .init(s3Bucket: $0) }
        }
        configured += configuration?.sources ?? []
        guard !configured.isEmpty else { throw NoSourcesError() }
        let fileInterval = configuration?.interval.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) }
        let fileReconcile = configuration?.reconcileInterval.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) }
        sources = configured.map { source in
            let own = source.interval.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) }
            let ownReconcile = source.reconcileInterval.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) }
            return Source(
                configured: source, environment: Self.environment(for: source, process: environment),
                interval: own ?? fileInterval ?? interval,
                workspaceKeyPrefix: source.workspaceKeyPrefix ?? workspaceKeyPrefix,
                queueURL: source.s3Bucket == nil ? nil : source.queueURL,
                stream: stream && (source.stream ?? true),
                reconcileInterval: ownReconcile ?? fileReconcile ?? reconcileInterval)
        }
    }

    /// Stream records per commit.
    public let streamBatch: Int

    /// The environment `source` resolves its AWS settings from: the process's, with the source's
    /// own profile, region and endpoint in their place.
    public static func environment(for source: CollectorConfiguration.Source, process: [String: String]) -> [String: String] {
        var env = process
        if let profile = source.profile {
            env["AWS_PROFILE"] = profile
            for variable in credentialVariables { env.removeValue(forKey: variable) }
        }
        if let region = source.region { env["AWS_REGION"] = region }
        if let endpoint = source.endpointURL {
            env[source.s3Bucket == nil ? "AWS_ENDPOINT_URL_DYNAMODB" : "AWS_ENDPOINT_URL_S3"] = endpoint
        }
        for (service, endpoint) in source.endpoints ?? [:] {
            if let variable = CollectorConfiguration.endpointServices[service] { env[variable] = endpoint }
        }
        return env
    }

    /// The schedules of every polled source (every source without a queue), their AWS clients on `transport`.
    public func schedules(transport: any HTTPTransport, logger: Logger) throws -> [CollectorService.Schedule] {
        try sources.filter { $0.queueURL == nil }.map { source in
            let aws = try AWSConfiguration.resolve(environment: source.environment)
            let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)
            let layout = WorkspaceLayout(prefix: source.workspaceKeyPrefix)
            if source.configured.s3Bucket != nil {
                // S3 finds each bucket's region itself.
                let s3 = S3Client(configuration: aws, credentials: credentials, transport: transport, logger: logger)
                let polling = bucketSource(source, s3: s3)
                // A maintenance lock with both mechanisms is removed whole by whichever source expires it.
                let dynamo = try? DynamoDBClient(configuration: aws, credentials: credentials, transport: transport)
                return CollectorService.Schedule(
                    source: polling, interval: source.interval,
                    expiry: MaintenanceExpiry(source: polling.name, locker: MaintenanceLocker(dynamoDB: dynamo, s3: s3)))
            }
            let client = try DynamoDBClient(configuration: aws, credentials: credentials, transport: transport)
            let stream =
                try source.stream
                ? DynamoDBStreamSettings(
                    client: DynamoDBStreamsClient(configuration: aws, credentials: credentials, transport: transport),
                    reconcileInterval: source.reconcileInterval, batch: streamBatch) : nil
            let polling = DynamoDBLockTableSource(
                table: source.configured.dynamoDBTable ?? "", region: try aws.requireRegion(), client: client,
                layout: layout, gapThreshold: source.gapThreshold, stream: stream)
            let s3 = S3Client(configuration: aws, credentials: credentials, transport: transport, logger: logger)
            return CollectorService.Schedule(
                source: polling, interval: source.interval,
                expiry: MaintenanceExpiry(source: polling.name, locker: MaintenanceLocker(dynamoDB: client, s3: s3)))
        }
    }

    /// One listener per queue, serving every S3 source whose notifications go to it (its SQS
    /// client configured from the first such source's settings).
    public func listeners(transport: any HTTPTransport, logger: Logger) throws -> [S3QueueListener] {
        var order: [String] = []
        var byQueue: [String: [Source]] = [:]
        for source in sources {
            guard let queue = source.queueURL else { continue }
            if byQueue[queue] == nil { order.append(queue) }
            byQueue[queue, default: []].append(source)
        }
        return try order.map { queue in
            let members = byQueue[queue]!
            let aws = try AWSConfiguration.resolve(environment: members[0].environment)
            let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)
            let sqs = try SQSClient(configuration: aws, credentials: credentials, transport: transport)
            let buckets = try members.map { member in
                let memberAWS = try AWSConfiguration.resolve(environment: member.environment)
                let s3 = S3Client(
                    configuration: memberAWS, credentials: DefaultCredentialsProvider(configuration: memberAWS, transport: transport),
                    transport: transport, logger: logger)
                return bucketSource(member, s3: s3)
            }
            return S3QueueListener(queueURL: queue, client: sqs, sources: buckets)
        }
    }

    private func bucketSource(_ source: Source, s3: S3Client) -> S3BucketSource {
        let bucket = source.configured.s3Bucket.flatMap(S3BucketSource.parse)!
        return S3BucketSource(
            bucket: bucket.bucket, prefix: bucket.prefix, client: s3, layout: WorkspaceLayout(prefix: source.workspaceKeyPrefix),
            gapThreshold: source.gapThreshold, queueURL: source.queueURL, reconcileInterval: source.reconcileInterval)
    }
}
