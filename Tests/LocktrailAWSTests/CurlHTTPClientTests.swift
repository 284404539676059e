import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

@Suite("Curl HTTP client", .serialized)
struct CurlHTTPClientTests {
    @Test("connection refused is a retryable transport error with a clear description")
    func connectionRefused() async throws {
        let port = try freeLocalPort()
        let client = CurlHTTPClient()
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await client.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/", timeout: .seconds(5)))
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("127.0.0.1:\(port)") == true)
    }

    @Test("concurrent requests share the pool; oversized bodies fail instead of exhausting memory")
    func concurrencyAndLimits() async throws {
        try await withMoto { moto in
            let client = CurlHTTPClient(configuration: .init(maxIdleHandles: 2))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await client.send(HTTPRequest(method: "GET", url: moto.endpoint + "/moto-api/")).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 16))

            // Header fields arrive as name and value, without the white space or CRLF around them.
            let one = try await client.send(HTTPRequest(method: "GET", url: moto.endpoint + "/moto-api/"))
            #expect(one.headers["content-type"]?.hasPrefix("text/html") == true, "\(one.headers.fields)")
            for field in one.headers {
                #expect(field.name == field.name.trimmingCharacters(in: .whitespacesAndNewlines) && !field.name.isEmpty)
                #expect(field.value == field.value.trimmingCharacters(in: .whitespacesAndNewlines), "\(field.name): \(field.value.debugDescription)")
            }

            let tiny = CurlHTTPClient(configuration: .init(maxResponseBytes: 10))
            let error = await #expect(throws: HTTPTransportError.self) {
                _ = try await tiny.send(HTTPRequest(method: "GET", url: moto.endpoint + "/moto-api/"))
            }
            #expect(error?.kind == .responseTooLarge)
        }
    }

    @Test("AWS_CA_BUNDLE becomes the CA file")
    func caBundle() {
        #expect(CurlHTTPClient.Configuration.fromEnvironment(["AWS_CA_BUNDLE": "/etc/ssl/corp.pem"]).caBundlePath == "/etc/ssl/corp.pem")
        #expect(CurlHTTPClient.Configuration.fromEnvironment([:]).caBundlePath == nil)
    }
}
