public import Foundation
public import LocktrailCore
public import LocktrailHTTP

/// Sends one notification to one webhook over libcurl: JSON with the delivery id, timestamp and
/// signature headers, or Slack's incoming-webhook `{"text": …}` (which takes no custom headers
/// a receiver could check). Redirects are never followed; with `allowPrivateNetworks` off, a URL
/// whose host resolves to a loopback, private, link-local or otherwise internal address is refused.
public struct WebhookSender: Sendable {
    let transport: any HTTPTransport
    let timeout: Double
    let allowPrivateNetworks: Bool
    let now: @Sendable () -> Timestamp

    /// A sender on `transport`.
    public init(
        transport: any HTTPTransport, timeout: Double, allowPrivateNetworks: Bool,
        now: @escaping @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
    ) {
        (self.transport, self.timeout, self.allowPrivateNetworks, self.now) = (transport, timeout, allowPrivateNetworks, now)
    }

    /// What became of one attempt.
    public enum Outcome: Sendable, Equatable {
        /// The receiver answered 2xx.
        case delivered(status: Int)
        /// It did not: the reason, safe to store and log (no URL, no secret).
        case failed(String)
    }

    /// Sends `body` (the notification's JSON) or, for Slack, `summary`, with delivery id `id`.
    public func send(id: String, summary: String, body: String, to webhook: NotificationConfiguration.Webhook) async -> Outcome {
        let request: HTTPRequest
        do {
            request = try makeRequest(id: id, summary: summary, body: body, to: webhook)
        } catch {
            return .failed("\(error)")
        }
        do {
            let response = try await transport.send(request)
            if (200..<300).contains(response.status) { return .delivered(status: response.status) }
            return .failed("HTTP \(response.status)")
        } catch let error as HTTPTransportError {
            return .failed(
                "\(error.kind.rawValue): \(error.kind == .timeout ? "no answer within \(Int(timeout)) s" : "curl error \(error.curlCode.map(String.init) ?? "-")")"
            )
        } catch {
            return .failed("transport error")
        }
    }

    /// The request for one attempt (the timestamp is the attempt's, so each is signed afresh).
    public func makeRequest(id: String, summary: String, body: String, to webhook: NotificationConfiguration.Webhook) throws -> HTTPRequest {
        if !allowPrivateNetworks { try WebhookAddress.checkPublic(webhook.url) }
        var headers: HTTPHeaders = ["Content-Type": "application/json", "User-Agent": "locktrail/\(LocktrailVersion.current)"]
        let bytes: [UInt8]
        switch webhook.format {
        case .json:
            bytes = Array(body.utf8)
            let timestamp = String(Int64(now().secondsSinceEpoch))
            headers.add(name: "X-Locktrail-Delivery", value: id)
            headers.add(name: "X-Locktrail-Timestamp", value: timestamp)
            if let secret = webhook.secret {
                headers.add(name: "X-Locktrail-Signature", value: WebhookSignature.header(secret: secret, timestamp: timestamp, body: bytes))
            }
        case .slack:
            bytes = CanonicalJSON.encode(["text": .string(summary)])
        }
        return HTTPRequest(
            method: "POST", url: webhook.url, headers: headers, body: bytes,
            connectTimeout: .seconds(min(timeout, 5)), timeout: .seconds(timeout))
    }
}

/// The SSRF guard: a webhook may not point at the notifier's own network unless allowed.
public enum WebhookAddress {
    /// Throws unless every address `url`'s host resolves to is a public one.
    public static func checkPublic(_ url: String) throws {
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { throw WebhookAddressError("the webhook's URL has no host") }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(bare, nil, &hints, &list)
        guard rc == 0, let first = list else { throw WebhookAddressError("the webhook's host could not be resolved") }
        defer { freeaddrinfo(first) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr, isInternal(address) {
                throw WebhookAddressError("the webhook's host resolves to an internal address (allow it with delivery.allow_private_networks: true)")
            }
            entry = current.pointee.ai_next
        }
    }

    static func isInternal(_ address: UnsafeMutablePointer<sockaddr>) -> Bool {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let raw = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            return isInternal(v4: withUnsafeBytes(of: raw) { Array($0) })
        case AF_INET6:
            let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) } }
            return isInternal(v6: bytes)
        default:
            return true
        }
    }

    /// Loopback, "this network", private, carrier-grade NAT, link-local, benchmarking, multicast and reserved.
    public static func isInternal(v4 b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168), (198, 18), (198, 19): return true
        case (172, 16...31), (100, 64...127): return true
        default: return b[0] >= 224
        }
    }

    /// Unspecified, loopback, unique-local, link-local, multicast, and IPv4-mapped internal addresses.
    public static func isInternal(v6 b: [UInt8]) -> Bool {
        if b.allSatisfy({ $0 == 0 }) || (b[0..<15].allSatisfy { $0 == 0 } && b[15] == 1) { return true }
        if b[0] & 0xfe == 0xfc || (b[0] == 0xfe && b[1] & 0xc0 == 0x80) || b[0] == 0xff { return true }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return isInternal(v4: Array(b[12..<16])) }
        return false
    }
}

/// A webhook the SSRF guard refused.
public struct WebhookAddressError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
