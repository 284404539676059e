import Foundation
import LocktrailAWS
import LocktrailHTTP
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
import LocktrailHTTP
#endif

/// A scripted `HTTPTransport` twin: records requests, answers from a closure (unit tests only).
final class ScriptedTransport: HTTPTransport {
    private let log = Mutex<[HTTPRequest]>([])
    private let respond: @Sendable (HTTPRequest, Int) throws -> HTTPResponse

    /// `respond` gets the request and its zero-based index among all requests sent.
    init(_ respond: @escaping @Sendable (HTTPRequest, Int) throws -> HTTPResponse) {
        self.respond = respond
    }

    var requests: [HTTPRequest] { log.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = log.withLock { log in
            log.append(request)
            return log.count - 1
        }
        return try respond(request, index)
    }
}

/// Records the sleeps a `RetryPolicy` asks for instead of sleeping.
final class SleepRecorder: Sendable {
    private let sleeps = Mutex<[Duration]>([])
    var recorded: [Duration] { sleeps.withLock { $0 } }
    func policy(maxAttempts: Int = 8, random: Double = 0.5) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, sleep: { [self] duration in sleeps.withLock { $0.append(duration) } }, random: { random })
    }
}

/// A fresh directory under the system temporary directory, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("locktrail-aws-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` inside the directory and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// A free TCP port on 127.0.0.1, found by binding port 0.
func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A `moto_server` child process on a free local port, for integration tests against the AWS emulator.
final class MotoServer: @unchecked Sendable {
    let endpoint: String
    private let process: Process

    private struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `moto_server -H 127.0.0.1 -p PORT` with `extraEnvironment` and waits until it answers.
    /// A server that exits at once lost its port to a test running in parallel: it gets another.
    static func start(extraEnvironment: [String: String] = [:]) async throws -> MotoServer {
        var failure = "moto_server did not start"
        for _ in 0..<3 {
            let port = try freeLocalPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
            process.environment = ProcessInfo.processInfo.environment.merging(extraEnvironment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let server = MotoServer(endpoint: "http://127.0.0.1:\(port)", process: process)
            // The readiness probe uses moto's own API path, which does not count as an AWS action
            // (it matters for INITIAL_NO_AUTH_ACTION_COUNT).
            let client = CurlHTTPClient()
            for _ in 0..<150 {
                if !process.isRunning { break }
                if let response = try? await client.send(
                    HTTPRequest(method: "GET", url: server.endpoint + "/moto-api/", connectTimeout: .milliseconds(200), timeout: .seconds(2))
                ), response.status > 0 {
                    return server
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let exited = !process.isRunning
            server.stop()
            failure = "moto_server did not answer on port \(port)"
            if !exited { break }  // running but silent: another port will not help
        }
        throw StartFailed(description: failure)
    }

    private init(endpoint: String, process: Process) {
        self.endpoint = endpoint
        self.process = process
    }

    /// Kills the server and waits for it to exit.
    func stop() {
        if process.isRunning {
            // SIGKILL: moto's werkzeug server does not reliably exit on SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Runs `body` with a fresh moto server, stopping it afterwards whatever happens.
func withMoto<T>(
    extraEnvironment: [String: String] = [:],
    _ body: (MotoServer) async throws -> T
) async throws -> T {
    let server = try await MotoServer.start(extraEnvironment: extraEnvironment)
    do {
        let result = try await body(server)
        server.stop()
        return result
    } catch {
        server.stop()
        throw error
    }
}
