/// A request that produced no HTTP response: connection, TLS, timeout or local failure.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarse enough to decide on a retry.
    public enum Kind: String, Sendable {
        /// The connect or total timeout expired.
        case timeout
        /// The host could not be resolved or the connection was refused.
        case connectionFailed
        /// The connection broke while sending or receiving.
        case connectionReset
        /// TLS negotiation or certificate verification failed.
        case tls
        /// The URL or an option was rejected before anything was sent.
        case invalidRequest
        /// The response body exceeded the transport's size limit.
        case responseTooLarge
        /// Anything else libcurl reported.
        case other
    }

    /// The coarse category.
    public var kind: Kind
    /// The host the request was for (never the full URL, which may carry tokens).
    public var host: String
    /// libcurl's result code, when the error came from libcurl.
    public var curlCode: Int?
    /// libcurl's explanation of the failure.
    public var detail: String

    /// Creates a transport error.
    public init(kind: Kind, host: String, curlCode: Int? = nil, detail: String) {
        self.kind = kind
        self.host = host
        self.curlCode = curlCode
        self.detail = detail
    }

    /// Whether sending the same request again may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .timeout, .connectionFailed, .connectionReset: true
        case .tls, .invalidRequest, .responseTooLarge, .other: false
        }
    }

    /// One sentence saying what failed and where, without secrets.
    public var description: String {
        let code = curlCode.map { " (curl error \($0))" } ?? ""
        let hint: String
        switch kind {
        case .timeout: hint = "the request timed out; check network reachability or raise the timeout"
        case .connectionFailed: hint = "could not connect; check the endpoint URL, DNS and any proxy settings"
        case .connectionReset: hint = "the connection broke mid-request; it is usually safe to retry"
        case .tls: hint = "TLS failed; check AWS_CA_BUNDLE / the system CA store and the endpoint's certificate"
        case .invalidRequest: hint = "the request was rejected locally; check the endpoint URL"
        case .responseTooLarge: hint = "the response exceeded the size limit"
        case .other: hint = "the transfer failed"
        }
        return "HTTP request to \(host) failed: \(hint): \(detail)\(code)"
    }
}
