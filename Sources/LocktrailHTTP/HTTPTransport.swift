/// Sends one HTTP request and returns the whole response; the seam between AWS clients and the network.
public protocol HTTPTransport: Sendable {
    /// Performs `request` and returns the response, or throws `HTTPTransportError` when no response arrived.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse

    /// Gets ready for a first request (libraries, handles) before it is made.
    func prepare() async
}

extension HTTPTransport {
    /// Nothing to get ready.
    public func prepare() async {}
}

/// An ordered list of HTTP header fields with case-insensitive lookup.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in the order they were added; names keep their original spelling.
    public private(set) var fields: [(name: String, value: String)]

    /// Creates headers from (name, value) pairs.
    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    /// Creates headers from a dictionary literal.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of the field named `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    /// Whether a field named `name` (case-insensitive) is present.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Appends a field, keeping any existing field of the same name.
    public mutating func add(name: String, value: String) { fields.append((name: name, value: value)) }

    /// Replaces every field named `name` (case-insensitive) with a single field.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name)
        fields.append((name: name, value: value))
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func remove(_ name: String) {
        let wanted = name.lowercased()
        fields.removeAll { $0.name.lowercased() == wanted }
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// Equal when the same fields appear in the same order.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// One HTTP request: method, absolute URL, headers, body bytes and optional timeouts.
public struct HTTPRequest: Sendable {
    /// The HTTP method, e.g. `GET` or `POST`.
    public var method: String
    /// The absolute URL, already percent-encoded as it goes on the wire.
    public var url: String
    /// Header fields sent as given (a `Range` header makes a ranged GET).
    public var headers: HTTPHeaders
    /// The request body; empty for none.
    public var body: [UInt8]
    /// Limit for establishing the connection; nil uses the transport's default.
    public var connectTimeout: Duration?
    /// Limit for the whole exchange; nil uses the transport's default.
    public var timeout: Duration?

    /// Creates a request.
    public init(
        method: String,
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        connectTimeout: Duration? = nil,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// One HTTP response: status, headers and the whole body.
public struct HTTPResponse: Sendable {
    /// The HTTP status code of the final response (after any 100-continue).
    public var status: Int
    /// The header fields of the final response.
    public var headers: HTTPHeaders
    /// The response body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8 (lossy), for error messages and XML.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
