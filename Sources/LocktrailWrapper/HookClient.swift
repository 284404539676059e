import LocktrailCore
public import LocktrailHTTP

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Sends hook events to a locktrail server (`POST /v1/hooks/events`) with a bearer token, from
/// the spool, so an event is deleted only once the server has it.
public struct HookClient: Sendable {
    /// What a flush did.
    public struct FlushOutcome: Equatable, Sendable {
        /// Events the server accepted.
        public var sent: Int
        /// Events left in the spool (server unreachable or failing).
        public var remaining: Int
        /// Events the server refused as invalid (moved to `rejected/`).
        public var rejected: Int
        /// Why sending stopped, if it did.
        public var error: String?
    }

    /// The server, e.g. `https://locktrail.internal`.
    public let serverURL: String
    /// The ingest token.
    public let token: String?
    /// The spool.
    public let spool: HookSpool
    private let transport: any HTTPTransport

    /// A client for `serverURL`.
    public init(serverURL: String, token: String?, spool: HookSpool, transport: any HTTPTransport = CurlHTTPClient()) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.token = token
        self.spool = spool
        self.transport = transport
    }

    /// The client configured by `LOCKTRAIL_URL` and `LOCKTRAIL_TOKEN`, or nil when no server is set.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment, spool: HookSpool) -> HookClient? {
        guard let url = environment["LOCKTRAIL_URL"], !url.isEmpty else { return nil }
        return HookClient(serverURL: url, token: environment["LOCKTRAIL_TOKEN"], spool: spool)
    }

    /// Sends every spooled event in batches; stops at the first transport or server failure.
    public func flush(timeout: Duration = .seconds(10)) async -> FlushOutcome {
        var outcome = FlushOutcome(sent: 0, remaining: 0, rejected: 0, error: nil)
        // Loading the transport takes a few milliseconds: events spooled meanwhile (a short
        // command's run.finished) then go in the same request.
        await transport.prepare()
        while true {
            let batch = spool.pending(limit: 100)
            if batch.isEmpty { break }
            let body = CanonicalJSON.encode(["events": .array(batch.map(\.event.json))])
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            if let token { headers.add(name: "Authorization", value: "Bearer " + token) }
            let request = HTTPRequest(
                method: "POST", url: serverURL + "/v1/hooks/events", headers: headers, body: body,
                connectTimeout: .seconds(2), timeout: timeout)
            do {
                let response = try await transport.send(request)
                if (200..<300).contains(response.status) {
                    batch.forEach { spool.remove($0.file) }
                    outcome.sent += batch.count
                    continue
                }
                if response.status == 400 || response.status == 413 || response.status == 422 {
                    // The server will never take these: keep them aside, go on with the rest.
                    batch.forEach { spool.reject($0.file) }
                    outcome.rejected += batch.count
                    outcome.error = "the server refused \(batch.count) events (\(response.status)): \(response.bodyText.prefix(300))"
                    continue
                }
                outcome.error = "the server answered \(response.status): \(response.bodyText.prefix(300))"
            } catch {
                outcome.error = "cannot reach \(serverURL): \(error)"
            }
            break
        }
        outcome.remaining = spool.count()
        return outcome
    }
}
