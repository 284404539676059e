import LocktrailHTTP

/// Which failures to retry and how long to wait: capped exponential backoff with full jitter.
public struct RetryPolicy: Sendable {
    /// Total attempts including the first; 1 disables retries.
    public var maxAttempts: Int
    /// The backoff ceiling before the first retry; doubles per retry.
    public var baseDelay: Duration
    /// No single wait exceeds this.
    public var maxDelay: Duration
    /// Waits between attempts; injectable so tests never really sleep.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Returns a uniform value in [0, 1); injectable for deterministic tests.
    public var random: @Sendable () -> Double

    /// Creates a policy; defaults follow the AWS SDKs' "standard" mode with more attempts.
    public init(
        maxAttempts: Int = 8,
        baseDelay: Duration = .milliseconds(50),
        maxDelay: Duration = .seconds(20),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.sleep = sleep
        self.random = random
    }

    /// Error codes that mean "slow down" or "try again": the request itself was fine.
    public static let retryableCodes: Set<String> = [
        "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "ThrottledException",
        "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
        "LimitExceededException", "TransactionInProgressException", "SlowDown", "PriorRequestNotComplete",
        "InternalServerError", "InternalFailure", "InternalError", "ServiceUnavailable", "RequestTimeout",
        "RequestTimeoutException", "IDPCommunicationError",
    ]

    /// HTTP statuses retried whatever the code says.
    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// Whether `error` is transient: throttling, 5xx, timeouts and broken connections.
    public static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let error as AWSError:
            retryableCodes.contains(error.code.rawValue) || retryableStatuses.contains(error.statusCode)
        case let error as HTTPTransportError:
            error.isRetryable
        default:
            false
        }
    }

    /// The wait before retry number `retry` (1 = first retry): random in [0, min(max, base·2^(retry-1))].
    public func delay(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let fraction = min(max(random(), 0), 1)
        return ceiling * fraction
    }
}
