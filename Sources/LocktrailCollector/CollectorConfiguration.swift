import Foundation
import LocktrailCore
import Yams

/// The collector's configuration file (YAML): many sources across accounts, regions and
/// profiles, each with its own interval.
///
/// ```yaml
/// interval: 30s                 # default for every source
/// reconcile_interval: 10m       # with a stream: time between reconciliation scans
/// sources:
///   - dynamodb_table: terraform-locks
///     region: eu-west-1
///     profile: prod             # an AWS profile of ~/.aws/config
///     interval: 15s
///   - s3_bucket: corp-state/teams      # lock files and state versions under a prefix
///   - dynamodb_table: platform-locks
///     region: us-east-1
///     profile: platform
///     workspace_key_prefix: envs
///     endpoint_url: http://127.0.0.1:5000   # optional: another DynamoDB endpoint
///   - s3_bucket: corp-state
///     queue_url: https://sqs.eu-west-1.amazonaws.com/123456789012/corp-state-events   # push
///     endpoints: { s3: http://127.0.0.1:5000, sqs: http://127.0.0.1:5000 }            # optional
/// reconcile_interval: 10m       # full listing / version walk this often (default 10m)
/// ```
public struct CollectorConfiguration: Decodable, Equatable, Sendable {
    /// One source.
    public struct Source: Decodable, Equatable, Sendable {
        /// A DynamoDB lock table.
        public var dynamoDBTable: String?
        /// An S3 bucket, optionally `NAME/PREFIX`.
        public var s3Bucket: String?
        /// The AWS region (default: the environment's).
        public var region: String?
        /// The AWS profile (default: the environment's).
        public var profile: String?
        /// Seconds between cycles, as a duration (`30s`, `5m`).
        public var interval: String?
        /// The backends' `workspace_key_prefix` (default `env:`).
        public var workspaceKeyPrefix: String?
        /// An endpoint other than AWS's for this source.
        public var endpointURL: String?
        /// The SQS queue of an S3 bucket's event notifications (push); nil to poll only.
        public var queueURL: String?
        /// Endpoints per service (`dynamodb`, `dynamodb_streams`, `s3`, `sqs`, `sts`), as
        /// `AWS_ENDPOINT_URL_<SERVICE>` would set them; over `endpoint_url`.
        public var endpoints: [String: String]?
        /// `false`: never read the table's stream, scan every interval (default: read it when it
        /// has one with both images).
        public var stream: Bool?
        /// With push (a stream or a queue), time between reconciliations (`10m`).
        public var reconcileInterval: String?

        /// A source; nil fields take their defaults.
        public init(
            dynamoDBTable: String? = nil, s3Bucket: String? = nil, region: String? = nil, profile: String? = nil, interval: String? = nil,
            workspaceKeyPrefix: String? = nil, endpointURL: String? = nil, endpoints: [String: String]? = nil, stream: Bool? = nil,
            reconcileInterval: String? = nil
        ) {
            self.dynamoDBTable = dynamoDBTable
            self.s3Bucket = s3Bucket
            self.region = region
            self.profile = profile
            self.interval = interval
            self.workspaceKeyPrefix = workspaceKeyPrefix
            self.endpointURL = endpointURL
            self.endpoints = endpoints
            self.stream = stream
            self.reconcileInterval = reconcileInterval
        }

        enum CodingKeys: String, CodingKey {
            case dynamoDBTable = "dynamodb_table", s3Bucket = "s3_bucket", region, profile, interval
            case workspaceKeyPrefix = "workspace_key_prefix", endpointURL = "endpoint_url", endpoints, stream
            case queueURL = "queue_url", reconcileInterval = "reconcile_interval"
        }
    }

    /// The services an `endpoints:` map may name, and the variable each sets.
    public static let endpointServices: [String: String] = [
        "dynamodb": "AWS_ENDPOINT_URL_DYNAMODB", "dynamodb_streams": "AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "s3": "AWS_ENDPOINT_URL_S3",
        "sqs": "AWS_ENDPOINT_URL_SQS", "sts": "AWS_ENDPOINT_URL_STS",
    ]

    /// The default interval for sources without one.
    public var interval: String?
    /// The default reconciliation interval for push sources without one.
    public var reconcileInterval: String?
    /// The sources.
    public var sources: [Source]

    enum CodingKeys: String, CodingKey { case interval, reconcileInterval = "reconcile_interval", sources }

    /// Reads and checks a configuration file; errors name the file and what is wrong.
    public static func load(path: String) throws -> CollectorConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    /// Parses and checks configuration `text` (from `path`, for messages).
    public static func parse(_ text: String, path: String = "configuration") throws -> CollectorConfiguration {
        let configuration: CollectorConfiguration
        do {
            configuration = try YAMLDecoder().decode(CollectorConfiguration.self, from: text)
        } catch let error as DecodingError {
            throw ConfigurationError("\(path): \(describe(error))")
        } catch {
            throw ConfigurationError("\(path) is not valid YAML: \(error)")
        }
        guard !configuration.sources.isEmpty else { throw ConfigurationError("\(path): `sources` lists no source") }
        for (index, source) in configuration.sources.enumerated() {
            switch (source.dynamoDBTable, source.s3Bucket) {
            case (let table?, nil) where !table.isEmpty: break
            case (nil, let bucket?) where S3BucketSource.parse(bucket) != nil: break
            case (nil, let bucket?): throw ConfigurationError("\(path): source \(index + 1): s3_bucket takes NAME or NAME/PREFIX, not \(bucket)")
            case (_?, _?):
                throw ConfigurationError("\(path): source \(index + 1) names both a dynamodb_table and an s3_bucket; list them as two sources")
            default: throw ConfigurationError("\(path): source \(index + 1) has no dynamodb_table or s3_bucket")
            }
            for interval in [source.interval, configuration.interval].compactMap({ $0 })
            where TimeExpression.duration(interval, bareNumberIsSeconds: true) == nil {
                throw ConfigurationError("\(path): interval \"\(interval)\" is not a duration such as 30s, 5m or 1h")
            }
            for interval in [source.reconcileInterval, configuration.reconcileInterval].compactMap({ $0 })
            where TimeExpression.duration(interval, bareNumberIsSeconds: true).map({ $0 <= 0 }) ?? true {
                throw ConfigurationError("\(path): reconcile_interval \"\(interval)\" is not a duration such as 10m or 1h")
            }
            if let queue = source.queueURL {
                guard source.s3Bucket != nil else {
                    throw ConfigurationError("\(path): source \(index + 1): queue_url belongs to an s3_bucket source")
                }
                guard queue.hasPrefix("https://") || queue.hasPrefix("http://") else {
                    throw ConfigurationError(
                        "\(path): source \(index + 1): queue_url must be the queue's URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), not \(queue)"
                    )
                }
            }
            for service in (source.endpoints ?? [:]).keys where endpointServices[service] == nil {
                throw ConfigurationError(
                    "\(path): source \(index + 1): endpoints names \(service); known services are \(endpointServices.keys.sorted().joined(separator: ", "))"
                )
            }
        }
        return configuration
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing `\(key.stringValue)` at \(path(context).isEmpty ? "top level" : path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "unreadable value at \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// A configuration problem, in one sentence.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// The sentence.
    public var description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
