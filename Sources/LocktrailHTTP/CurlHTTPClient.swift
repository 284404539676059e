import Dispatch
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// An `HTTPTransport` on libcurl that reuses a small pool of easy handles (and so their connections).
///
/// Each pooled lane pairs one easy handle with its own serial dispatch queue: the blocking
/// `curl_easy_perform` runs there, never on Swift's cooperative thread pool, and the awaiting
/// task is resumed through a continuation.
public final class CurlHTTPClient: HTTPTransport {
    /// Defaults applied to every request that does not set its own.
    public struct Configuration: Sendable {
        /// Limit for establishing a connection.
        public var connectTimeout: Duration
        /// Limit for a whole exchange.
        public var timeout: Duration
        /// A PEM CA bundle to trust instead of the system store (CURLOPT_CAINFO).
        public var caBundlePath: String?
        /// How many idle handles (with their open connections) to keep.
        public var maxIdleHandles: Int
        /// Response bodies above this size fail with `.responseTooLarge` rather than exhaust memory.
        public var maxResponseBytes: Int

        /// Creates a configuration.
        public init(
            connectTimeout: Duration = .seconds(10),
            timeout: Duration = .seconds(60),
            caBundlePath: String? = nil,
            maxIdleHandles: Int = 4,
            maxResponseBytes: Int = 256 * 1024 * 1024
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.caBundlePath = caBundlePath
            self.maxIdleHandles = maxIdleHandles
            self.maxResponseBytes = maxResponseBytes
        }

        /// Defaults plus `AWS_CA_BUNDLE` from `environment`; proxy variables are left to libcurl.
        public static func fromEnvironment(
            _ environment: [String: String] = ProcessInfo.processInfo.environment
        ) -> Configuration {
            var configuration = Configuration()
            if let bundle = environment["AWS_CA_BUNDLE"], !bundle.isEmpty { configuration.caBundlePath = bundle }
            return configuration
        }
    }

    /// The defaults this client applies.
    public let configuration: Configuration
    private let idleLanes = Mutex<[CurlLane]>([])

    /// Creates a client; no handle is opened until the first request.
    public init(configuration: Configuration = .fromEnvironment()) {
        self.configuration = configuration
    }

    /// Performs `request` on a pooled handle off the cooperative pool; cancelling the task aborts the transfer.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await transfer(request, sink: nil)
    }

    /// Like `send`, but a successful (2xx) body is handed to `sink` chunk by chunk as it arrives,
    /// in constant memory, and the returned response has an empty body; an error body is
    /// returned whole as usual. `sink` runs on the transfer's thread.
    public func stream(_ request: HTTPRequest, to sink: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) async throws -> HTTPResponse {
        try await transfer(request, sink: sink)
    }

    /// Starts loading libcurl on a background thread and returns at once: a program that will
    /// make requests soon calls this first thing, so the load overlaps its other work.
    public static func preload() {
        DispatchQueue.global(qos: .userInitiated).async { _ = CurlLibrary.shared }
    }

    /// Loads libcurl and opens a handle now, off the cooperative pool, so that the first request
    /// does not wait for them.
    public func prepare() async {
        let lane = checkOut()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lane.queue.async {
                _ = try? lane.easyHandle()
                continuation.resume()
            }
        }
        checkIn(lane)
    }

    private func transfer(_ request: HTTPRequest, sink: (@Sendable (UnsafeRawBufferPointer) -> Void)?) async throws -> HTTPResponse {
        let lane = checkOut()
        let flag = CurlCancellationFlag()
        let configuration = self.configuration
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, any Error>, Never>) in
                lane.queue.async {
                    do {
                        let handle = try lane.easyHandle()
                        continuation.resume(returning: handle.perform(request, defaults: configuration, cancellation: flag, sink: sink))
                    } catch {
                        continuation.resume(returning: .failure(HTTPTransportError(kind: .other, host: "", detail: "\(error)")))
                    }
                }
            }
        } onCancel: {
            flag.cancel()
        }
        checkIn(lane)
        return try result.get()
    }

    private func checkOut() -> CurlLane {
        idleLanes.withLock { $0.popLast() } ?? CurlLane()
    }

    private func checkIn(_ lane: CurlLane) {
        // Beyond the idle limit the lane is dropped, and its handle freed by its owner's deinit.
        idleLanes.withLock { lanes in
            if lanes.count < configuration.maxIdleHandles { lanes.append(lane) }
        }
    }

    /// The host[:port] part of an absolute URL, for error messages that must not echo the full URL.
    public static func host(of url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "" }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { return String(authority[authority.index(after: at)...]) }
        return String(authority)
    }
}

/// One easy handle and the serial queue that is the only place it is used.
///
/// `@unchecked Sendable`: a lane is owned by exactly one request between check-out and
/// check-in, and its handle is only made and touched on `queue` (making it may load libcurl,
/// a blocking call that must not run on the cooperative pool).
final class CurlLane: @unchecked Sendable {
    private var handle: CurlEasyHandle?
    let queue = DispatchQueue(label: "locktrail.curl.lane")

    /// The lane's handle, made at first use. Call only on `queue`.
    func easyHandle() throws(CurlEasyHandle.CreationFailed) -> CurlEasyHandle {
        if let handle { return handle }
        let made = try CurlEasyHandle()
        handle = made
        return made
    }
}
