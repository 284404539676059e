import Foundation
import LocktrailHTTP

// The AWS JSON protocol (DynamoDB, DynamoDB Streams, SQS): a POST to `/` whose `X-Amz-Target`
// names the operation, with JSON in and out.
extension AWSServiceClient {
    /// Encodes `input`, sends it as `<targetPrefix>.<operation>` and decodes the 2xx answer (an empty body as `{}`).
    ///
    /// - Parameters:
    ///   - jsonVersion: the protocol version in the content type (`1.0` for DynamoDB, Streams and SQS).
    ///   - resource: the table, stream or queue the call concerns, for error messages.
    public func callJSON<Input: Encodable, Output: Decodable>(
        targetPrefix: String,
        operation: String,
        resource: String?,
        jsonVersion: String = "1.0",
        _ input: Input
    ) async throws -> Output {
        let body = try JSONEncoder().encode(input)
        let request = HTTPRequest(
            method: "POST",
            url: "/",
            headers: [
                "Content-Type": "application/x-amz-json-\(jsonVersion)",
                "X-Amz-Target": "\(targetPrefix).\(operation)",
            ],
            body: Array(body)
        )
        let response = try await send(request, operation: operation, resource: resource)
        do {
            return try JSONDecoder().decode(Output.self, from: Data(response.body.isEmpty ? Array("{}".utf8) : response.body))
        } catch {
            throw AWSDecodingError(service: service, operation: operation, reason: "\(error)")
        }
    }
}

/// A 2xx JSON-protocol response whose body did not have the expected shape.
public struct AWSDecodingError: Error, Sendable, CustomStringConvertible {
    /// The signing name of the service.
    public var service: String
    /// The operation whose response was malformed.
    public var operation: String
    /// The decoder's explanation.
    public var reason: String

    /// One sentence.
    public var description: String { "\(service) \(operation) returned a response locktrail cannot read: \(reason)." }
}
