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

        /// A pause between successful cycles longer than this is a coverage gap: three missed
        /// cycles, and never less than a minute, so a slow scan is not mistaken for an outage.
        public var gapThreshold: Double { max(3 * interval, 60) }
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
    public init(dynamoDBTables: [String], s3Buckets: [String], configuration: CollectorConfiguration?, interval: Double,
                workspaceKeyPrefix: String, environment: [String: String]) throws {
        func list(_ variable: String) -> [String] {
            (environment[variable] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var configured: [CollectorConfiguration.Source] = dynamoDBTables.map { .init(dynamoDBTable: $0) } + s3Buckets.map { .init(s3Bucket: $0) }
        if configured.isEmpty {
            configured = list("LOCKTRAIL_DYNAMODB_TABLES").map { .init(dynamoDBTable: $0) } + list("LOCKTRAIL_S3_BUCKETS").map { .init(s3Bucket: $0) }
        }
        configured += configuration?.sources ?? []
        guard !configured.isEmpty else { throw NoSourcesError() }
        let fileInterval = configuration?.interval.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) }
        sources = configured.map { source in
            let own = source.interval.flatMap { TimeExpression.duration($0, bareNumberIsSeconds: true) }
            return Source(configured: source, environment: Self.environment(for: source, process: environment),
                          interval: own ?? fileInterval ?? interval,
                          workspaceKeyPrefix: source.workspaceKeyPrefix ?? workspaceKeyPrefix)
        }
    }

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
        return env
    }

    /// The schedules of every source, their AWS clients on `transport`.
    public func schedules(transport: any HTTPTransport, logger: Logger) throws -> [CollectorService.Schedule] {
        try sources.map { source in
            let aws = try AWSConfiguration.resolve(environment: source.environment)
            let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)
            let layout = WorkspaceLayout(prefix: source.workspaceKeyPrefix)
            if let bucket = source.configured.s3Bucket.flatMap(S3BucketSource.parse) {
                // S3 finds each bucket's region itself.
                let s3 = S3Client(configuration: aws, credentials: credentials, transport: transport, logger: logger)
                return CollectorService.Schedule(
                    source: S3BucketSource(bucket: bucket.bucket, prefix: bucket.prefix, client: s3, layout: layout,
                                           gapThreshold: source.gapThreshold),
                    interval: source.interval)
            }
            let client = try DynamoDBClient(configuration: aws, credentials: credentials, transport: transport)
            return CollectorService.Schedule(
                source: DynamoDBLockTableSource(table: source.configured.dynamoDBTable ?? "", region: try aws.requireRegion(), client: client,
                                                layout: layout, gapThreshold: source.gapThreshold),
                interval: source.interval)
        }
    }
}
