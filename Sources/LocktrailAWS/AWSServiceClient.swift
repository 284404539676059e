public import Foundation
public import LocktrailHTTP
public import Logging

/// Sends signed requests to one AWS service endpoint, retrying transient failures and turning error responses into `AWSError`.
public struct AWSServiceClient: Sendable {
    /// The signing name, e.g. `dynamodb`, `s3`, `iam`.
    public var service: String
    /// The signing region.
    public var region: String
    /// The base URL without trailing slash, e.g. `https://dynamodb.eu-west-1.amazonaws.com`.
    public var endpoint: String
    /// Where signing credentials come from.
    public var credentials: any AWSCredentialsProvider
    /// The HTTP transport (the curl client in production, a twin in unit tests).
    public var transport: any HTTPTransport
    /// Retry classification, attempts and backoff.
    public var retryPolicy: RetryPolicy
    /// The signing clock; injectable so tests control `X-Amz-Date`.
    public var now: @Sendable () -> Date
    /// Where retries are logged (metadata only, never secrets).
    public var logger: Logger

    /// Creates a client for one service endpoint.
    public init(
        service: String,
        region: String,
        endpoint: String,
        credentials: any AWSCredentialsProvider,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = RetryPolicy(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "locktrail.aws")
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.credentials = credentials
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.now = now
        self.logger = logger
    }

    /// A client for the service AWS names `serviceID` (its endpoint variable and default host come
    /// from `configuration`), signed as `signingName`: what every service client's own init does.
    public init(
        signingName: String,
        serviceID: String,
        configuration: AWSConfiguration,
        credentials: any AWSCredentialsProvider,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = RetryPolicy()
    ) throws {
        self.init(
            service: signingName, region: try configuration.requireRegion(), endpoint: try configuration.endpoint(serviceID: serviceID),
            credentials: credentials, transport: transport, retryPolicy: retryPolicy)
    }

    /// Signs and sends `request` (URL relative to `endpoint` when it starts with `/`); returns a 2xx response or throws.
    ///
    /// - Parameters:
    ///   - operation: the API operation, used in errors and logs (e.g. `Scan`).
    ///   - resource: the table, bucket or ARN the call concerns, for error messages.
    ///   - payload: `.unsigned` only matters for S3.
    public func send(
        _ request: HTTPRequest,
        operation: String,
        resource: String? = nil,
        payload: SigV4Signer.PayloadSigning = .signed
    ) async throws -> HTTPResponse {
        var request = request
        if request.url.hasPrefix("/") { request.url = endpoint + request.url }
        var attempt = 1
        while true {
            let failure: any Error
            do {
                let credentials = try await self.credentials.credentials()
                // Re-signed per attempt: the signature embeds the time and must stay within AWS's 5-minute window.
                let signer = SigV4Signer(credentials: credentials, region: region, service: service)
                let response = try await transport.send(signer.sign(request, date: now(), payload: payload))
                if (200..<300).contains(response.status) { return response }
                failure = AWSError.parse(response: response, service: service, operation: operation, resource: resource)
            } catch {
                failure = error
            }
            guard attempt < retryPolicy.maxAttempts, RetryPolicy.isRetryable(failure), !Task.isCancelled else {
                throw failure
            }
            let delay = retryPolicy.delay(beforeRetry: attempt)
            logger.debug(
                "retrying AWS request",
                metadata: [
                    "aws.service": "\(service)",
                    "aws.operation": "\(operation)",
                    "attempt": "\(attempt)",
                    "delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                    "error": "\(failure)",
                ]
            )
            try await retryPolicy.sleep(delay)
            attempt += 1
        }
    }
}
