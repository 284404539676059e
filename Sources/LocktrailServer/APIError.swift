public import Hummingbird
import LocktrailCore

/// An error the API answers with a status and `{"error": message, "field": field}`.
public struct APIError: Error, Sendable, HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// What is wrong, in one sentence.
    public var message: String
    /// The parameter at fault, if one is.
    public var field: String?

    /// An error.
    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    /// The JSON body.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"locktrail\"" }
        return JSONBody.response(["error": .string(message), "field": .optional(field)], status: status, headers: headers)
    }
}

/// JSON responses in the canonical encoding (sorted keys, compact): the same bytes for the same answer.
enum JSONBody {
    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [.contentType: "application/json"]) -> Response
    {
        var bytes = CanonicalJSON.encode(value)
        bytes.append(0x0A)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
