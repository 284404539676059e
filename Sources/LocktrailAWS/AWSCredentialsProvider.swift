public import Foundation
public import LocktrailHTTP
public import Logging

/// Supplies credentials for signing; implementations cache and refresh as they see fit.
public protocol AWSCredentialsProvider: Sendable {
    /// Current, unexpired credentials.
    func credentials() async throws -> AWSCredentials
}

/// Always returns the same credentials (tests, explicit keys).
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    /// The credentials returned.
    public let value: AWSCredentials
    /// Wraps fixed credentials.
    public init(_ value: AWSCredentials) { self.value = value }
    /// Returns `value`.
    public func credentials() async throws -> AWSCredentials { value }
}

/// The AWS default chain: environment, shared files (incl. `credential_process`), web identity,
/// container, then EC2 IMDSv2; cached, and refreshed a few minutes before `Expiration`.
public actor DefaultCredentialsProvider: AWSCredentialsProvider {
    /// Where the chain looks, in order.
    public enum Source: String, Sendable, CaseIterable {
        /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
        case environment
        /// The selected profile in the shared files.
        case profile
        /// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` via STS.
        case webIdentity
        /// The ECS/EKS container credentials endpoint.
        case container
        /// The EC2 instance metadata service (IMDSv2).
        case instanceMetadata
    }

    private let configuration: AWSConfiguration
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date
    private let refreshMargin: TimeInterval
    private let sources: [Source]
    private let processTimeout: Duration
    private let logger: Logger
    private var cached: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?

    /// How long a profile's `credential_process` may run before it is killed (the AWS CLI waits
    /// forever; a collector must not hang on a command waiting for an MFA code nobody types).
    public static let defaultProcessTimeout: Duration = .seconds(30)

    /// Creates the chain; nothing is read until the first `credentials()` call.
    public init(
        configuration: AWSConfiguration,
        transport: any HTTPTransport,
        sources: [Source] = Source.allCases,
        refreshMargin: TimeInterval = 5 * 60,
        processTimeout: Duration = DefaultCredentialsProvider.defaultProcessTimeout,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "locktrail.aws.credentials")
    ) {
        self.configuration = configuration
        self.transport = transport
        self.sources = sources
        self.processTimeout = processTimeout
        self.refreshMargin = refreshMargin
        self.now = now
        self.logger = logger
    }

    /// Cached credentials, or freshly resolved ones when none are cached or they expire soon.
    public func credentials() async throws -> AWSCredentials {
        if let cached, !cached.needsRefresh(at: now(), margin: refreshMargin) { return cached }
        // Concurrent callers share one resolution instead of each hitting STS or IMDS.
        if let inFlight { return try await inFlight.value }
        let task = Task { [configuration, transport, sources, processTimeout, logger] in
            try await Self.resolve(
                configuration: configuration, transport: transport, sources: sources,
                processTimeout: processTimeout, logger: logger)
        }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        cached = fresh
        logger.debug(
            "resolved AWS credentials",
            metadata: [
                "source": "\(fresh.source)",
                "access_key_id": "\(fresh.accessKeyID)",
                "expiration": "\(fresh.expiration.map(AWSTimestamp.iso8601) ?? "none")",
            ]
        )
        return fresh
    }

    /// Walks the sources in order; the first that yields credentials wins.
    static func resolve(
        configuration: AWSConfiguration,
        transport: any HTTPTransport,
        sources: [Source],
        processTimeout: Duration,
        logger: Logger
    ) async throws -> AWSCredentials {
        var skipped: [String] = []
        for source in sources {
            let found: AWSCredentials?
            switch source {
            case .environment:
                found = CredentialSources.environment(configuration.environment)
            case .profile:
                found = try await CredentialSources.profile(configuration, transport: transport, processTimeout: processTimeout)
            case .webIdentity:
                found = try await CredentialSources.webIdentity(
                    tokenFile: configuration.environment["AWS_WEB_IDENTITY_TOKEN_FILE"],
                    roleARN: configuration.environment["AWS_ROLE_ARN"],
                    sessionName: configuration.environment["AWS_ROLE_SESSION_NAME"],
                    configuration: configuration,
                    transport: transport
                )
            case .container:
                found = try await CredentialSources.container(configuration.environment, transport: transport)
            case .instanceMetadata:
                do {
                    found = try await CredentialSources.instanceMetadata(configuration.environment, transport: transport)
                } catch {
                    // Off EC2 the metadata service is simply absent; that is "no credentials", not a failure.
                    logger.debug("EC2 instance metadata unavailable", metadata: ["error": "\(error)"])
                    found = nil
                }
            }
            if let found { return found }
            skipped.append(source.rawValue)
        }
        throw AWSCredentialsError.noCredentials(tried: skipped)
    }
}

/// Why no usable credentials could be produced; never contains secret values.
public enum AWSCredentialsError: Error, Sendable, CustomStringConvertible {
    /// Every source in the chain came up empty.
    case noCredentials(tried: [String])
    /// A configured source failed (e.g. STS rejected the token, the process exited non-zero).
    case sourceFailed(source: String, reason: String)

    /// One actionable sentence.
    public var description: String {
        switch self {
        case .noCredentials(let tried):
            "No AWS credentials found (looked in: \(tried.joined(separator: ", "))); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run where a role is available."
        case .sourceFailed(let source, let reason):
            "AWS credentials from \(source) could not be obtained: \(reason)."
        }
    }
}
