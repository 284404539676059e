import LocktrailCrypto

/// The signature of a JSON delivery: `sha256=` and the hex HMAC-SHA256, under the webhook's
/// secret, of the timestamp header, a dot and the exact body (so a replayed body with a new
/// timestamp does not verify, and the receiver can refuse old timestamps).
public enum WebhookSignature {
    /// `X-Locktrail-Signature` for `body` sent at `timestamp` (the `X-Locktrail-Timestamp` value).
    public static func header(secret: [UInt8], timestamp: String, body: [UInt8]) -> String {
        "sha256=" + Hex.encode(Digest.hmacSHA256(key: secret, message: Array((timestamp + ".").utf8) + body))
    }
}

/// When a failed delivery is tried again: exponential backoff from `initial`, capped at `maximum`.
public struct DeliveryBackoff: Hashable, Sendable {
    public var initial: Double
    public var maximum: Double
    public init(initial: Double, maximum: Double) { (self.initial, self.maximum) = (initial, max(initial, maximum)) }

    /// Seconds to wait after the `attempts`-th failed attempt (1 for the first).
    public func delay(afterAttempts attempts: Int) -> Double {
        let exponent = Double(max(0, min(attempts - 1, 40)))
        return min(maximum, initial * pow2(exponent))
    }

    private func pow2(_ e: Double) -> Double {
        var r = 1.0
        for _ in 0..<Int(e) { r *= 2 }
        return r
    }
}
