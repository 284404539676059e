public import Foundation

/// An AWS access key pair, optional session token and expiry; its descriptions never show the secrets.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The access key id (not secret; it names the key, e.g. in CloudTrail).
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials.
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?
    /// Where the credentials came from, e.g. `environment` or `profile default`.
    public var source: String

    /// Creates credentials.
    public init(
        accessKeyID: String,
        secretAccessKey: String,
        sessionToken: String? = nil,
        expiration: Date? = nil,
        source: String = "static"
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// Whether the credentials should be replaced: they expire within `margin` of `now`.
    public func needsRefresh(at now: Date, margin: TimeInterval = 5 * 60) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }

    /// The key id, source and expiry; secret key and session token are redacted.
    public var description: String {
        var parts = ["accessKeyID: \(accessKeyID)", "secretAccessKey: <redacted>"]
        if sessionToken != nil { parts.append("sessionToken: <redacted>") }
        if let expiration { parts.append("expiration: \(AWSTimestamp.iso8601(expiration))") }
        parts.append("source: \(source)")
        return "AWSCredentials(\(parts.joined(separator: ", ")))"
    }

    /// Same as `description`: debugging output must not leak secrets either.
    public var debugDescription: String { description }

    /// A mirror without the secrets, so `dump()` and reflection cannot print them.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyID": accessKeyID,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
                "expiration": expiration as Any,
                "source": source,
            ],
            displayStyle: .struct
        )
    }
}
