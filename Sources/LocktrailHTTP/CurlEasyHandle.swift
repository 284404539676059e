internal import CCurl
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The single owner of one libcurl easy handle; frees it on deinit.
///
/// Not thread-safe: `CurlHTTPClient` only touches a handle from the serial queue of the lane
/// that owns it, and a lane is checked out by one request at a time.
final class CurlEasyHandle {
    private let curl: CurlLibrary
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes its human-readable failure reason here (CURLOPT_ERRORBUFFER).
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Why the handle could not be created: libcurl missing, not initialised, or out of memory.
    struct CreationFailed: Error, CustomStringConvertible {
        let description: String
    }

    init() throws(CreationFailed) {
        switch CurlLibrary.shared {
        case .success(let library): curl = library
        case .failure(let failure): throw CreationFailed(description: failure.description)
        }
        guard let handle = curl.easyInit() else { throw CreationFailed(description: "curl_easy_init failed") }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl.easyCleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one blocking transfer. Call only from the owning lane's queue, never the cooperative pool.
    func perform(
        _ request: HTTPRequest,
        defaults: CurlHTTPClient.Configuration,
        cancellation: CurlCancellationFlag,
        sink: (@Sendable (UnsafeRawBufferPointer) -> Void)? = nil
    ) -> Result<HTTPResponse, any Error> {
        // Reset clears options from the previous request but keeps the connection cache,
        // which is the point of reusing handles.
        curl.easyReset(handle)
        errorBuffer[0] = 0
        let host = CurlHTTPClient.host(of: request.url)
        let state = CurlTransferState(limit: defaults.maxResponseBytes, cancellation: cancellation)
        state.sink = sink
        let statePointer = Unmanaged.passUnretained(state).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl.slistFreeAll(headerList) }

        var setupFailure: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if setupFailure == CURLE_OK && code != CURLE_OK { setupFailure = code } }

        set(locktrail_curl_setopt_pointer(curl.easySetopt, handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(locktrail_curl_setopt_string(curl.easySetopt, handle, CURLOPT_URL, request.url))
        // Several threads run transfers; signals must not be used for timeouts.
        set(locktrail_curl_setopt_long(curl.easySetopt, handle, CURLOPT_NOSIGNAL, 1))
        set(locktrail_curl_setopt_long(curl.easySetopt, handle, CURLOPT_FOLLOWLOCATION, 0))
        set(
            locktrail_curl_setopt_long(
                curl.easySetopt, handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout ?? defaults.connectTimeout)))
        set(locktrail_curl_setopt_long(curl.easySetopt, handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout ?? defaults.timeout)))
        if let caBundle = defaults.caBundlePath {
            set(locktrail_curl_setopt_string(curl.easySetopt, handle, CURLOPT_CAINFO, caBundle))
        }
        // Proxies are not set here on purpose: libcurl reads http_proxy/HTTPS_PROXY/NO_PROXY itself.

        let method = request.method.uppercased()
        let sendsBody = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)
        if method == "HEAD" {
            set(locktrail_curl_setopt_long(curl.easySetopt, handle, CURLOPT_NOBODY, 1))
        } else if sendsBody {
            set(locktrail_curl_setopt_long(curl.easySetopt, handle, CURLOPT_POST, 1))
            set(locktrail_curl_setopt_off_t(curl.easySetopt, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            // COPYPOSTFIELDS copies the bytes, so the Swift array need not outlive this call.
            var body = request.body
            if body.isEmpty { body = [0] }  // a valid pointer; the size above is still 0
            body.withUnsafeMutableBytes { bytes in
                set(locktrail_curl_setopt_pointer(curl.easySetopt, handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress))
            }
            if method != "POST" { set(locktrail_curl_setopt_string(curl.easySetopt, handle, CURLOPT_CUSTOMREQUEST, method)) }
        } else if method == "GET" {
            set(locktrail_curl_setopt_long(curl.easySetopt, handle, CURLOPT_HTTPGET, 1))
        } else {
            set(locktrail_curl_setopt_string(curl.easySetopt, handle, CURLOPT_CUSTOMREQUEST, method))
        }

        for field in request.headers {
            // "Name;" is libcurl's spelling for a header with an empty value.
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            headerList = curl.slistAppend(headerList, line)
        }
        // Suppress headers libcurl would add on its own: a form Content-Type the request did
        // not ask for, and Expect: 100-continue, which costs a round trip on every large PUT.
        if !request.headers.contains("Content-Type") { headerList = curl.slistAppend(headerList, "Content-Type:") }
        if !request.headers.contains("Expect") { headerList = curl.slistAppend(headerList, "Expect:") }
        set(locktrail_curl_setopt_slist(curl.easySetopt, handle, CURLOPT_HTTPHEADER, headerList))

        set(locktrail_curl_setopt_callback(curl.easySetopt, handle, CURLOPT_WRITEFUNCTION, curlWriteBody))
        set(locktrail_curl_setopt_pointer(curl.easySetopt, handle, CURLOPT_WRITEDATA, statePointer))
        set(locktrail_curl_setopt_callback(curl.easySetopt, handle, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        set(locktrail_curl_setopt_pointer(curl.easySetopt, handle, CURLOPT_HEADERDATA, statePointer))
        set(locktrail_curl_setopt_long(curl.easySetopt, handle, CURLOPT_NOPROGRESS, 0))
        set(locktrail_curl_setopt_xferinfo(curl.easySetopt, handle, CURLOPT_XFERINFOFUNCTION, curlProgress))
        set(locktrail_curl_setopt_pointer(curl.easySetopt, handle, CURLOPT_XFERINFODATA, statePointer))

        if setupFailure != CURLE_OK {
            return .failure(error(for: setupFailure, host: host, state: state))
        }
        let code = withExtendedLifetime(state) { curl.easyPerform(handle) }
        if code != CURLE_OK {
            if cancellation.isCancelled { return .failure(CancellationError()) }
            return .failure(error(for: code, host: host, state: state))
        }
        var status = 0
        _ = locktrail_curl_getinfo_long(curl.easyGetinfo, handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: HTTPHeaders(state.headers), body: state.body))
    }

    /// The one place where a CURLcode becomes a Swift error.
    private func error(for code: CURLcode, host: String, state: CurlTransferState) -> HTTPTransportError {
        let number = Int(code.rawValue)
        let buffered = String(cString: errorBuffer)
        let detail = buffered.isEmpty ? curl.describe(code) : buffered
        let kind: HTTPTransportError.Kind
        switch number {
        case 28: kind = .timeout  // OPERATION_TIMEDOUT
        case 5, 6, 7: kind = .connectionFailed  // COULDNT_RESOLVE_PROXY, COULDNT_RESOLVE_HOST, COULDNT_CONNECT
        case 16, 18, 52, 55, 56, 92: kind = .connectionReset  // HTTP2, PARTIAL_FILE, GOT_NOTHING, SEND/RECV_ERROR, HTTP2_STREAM
        case 35, 58, 60, 77, 83, 90, 91: kind = .tls  // SSL connect, cert, CA, issuer, pinned key, status
        case 1, 3, 43, 48: kind = .invalidRequest  // UNSUPPORTED_PROTOCOL, URL_MALFORMAT, BAD_FUNCTION_ARGUMENT, UNKNOWN_OPTION
        case 23 where state.exceededLimit: kind = .responseTooLarge
        default: kind = .other
        }
        return HTTPTransportError(kind: kind, host: host, curlCode: number, detail: detail)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

/// Set from any thread when the awaiting task is cancelled; polled by libcurl's progress callback.
final class CurlCancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)
    func cancel() { cancelled.store(true, ordering: .relaxed) }
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

/// What the C callbacks of one transfer write into; lives for the duration of `perform`.
final class CurlTransferState {
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var exceededLimit = false
    /// The status of the current response block, from its status line.
    var status = 0
    /// When set, a 2xx body goes here chunk by chunk instead of into `body` (no size limit).
    var sink: (@Sendable (UnsafeRawBufferPointer) -> Void)?
    let limit: Int
    let cancellation: CurlCancellationFlag

    init(limit: Int, cancellation: CurlCancellationFlag) {
        self.limit = limit
        self.cancellation = cancellation
    }
}

private let curlWriteBody: locktrail_curl_data_callback = { data, size, count, userdata in
    let state = Unmanaged<CurlTransferState>.fromOpaque(userdata!).takeUnretainedValue()
    let length = size * count
    if let sink = state.sink, (200..<300).contains(state.status) {
        if let data, length > 0 { sink(UnsafeRawBufferPointer(start: data, count: length)) }
        return length
    }
    guard state.body.count + length <= state.limit else {
        state.exceededLimit = true
        return 0  // makes libcurl fail with CURLE_WRITE_ERROR
    }
    if let data, length > 0 {
        state.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}

private let curlWriteHeader: locktrail_curl_data_callback = { data, size, count, userdata in
    let state = Unmanaged<CurlTransferState>.fromOpaque(userdata!).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        // A new status line (after 100-continue or a proxy CONNECT): only the last block counts.
        state.headers.removeAll()
        let parts = line.split(separator: " ")
        state.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    } else if let colon = line.firstIndex(of: ":") {
        let name = trimmed(line[..<colon])
        let value = trimmed(line[line.index(after: colon)...])
        state.headers.append((name: name, value: value))
    }
    return length
}

private let curlProgress: locktrail_curl_xferinfo_callback = { userdata, _, _, _, _ in
    let state = Unmanaged<CurlTransferState>.fromOpaque(userdata!).takeUnretainedValue()
    return state.cancellation.isCancelled ? 1 : 0
}

/// `text` without leading and trailing white space and line ends (`"\r\n"` is one Character).
private func trimmed(_ text: Substring) -> String {
    guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
    return String(text[first...last])
}
