public import Foundation
import LocktrailCrypto
public import LocktrailHTTP

/// AWS Signature Version 4 for one service and region; pure: the signing time is a parameter.
public struct SigV4Signer: Sendable {
    /// How the body is represented in the signature.
    public enum PayloadSigning: Sendable, Equatable {
        /// The SHA-256 of the body is signed.
        case signed
        /// `UNSIGNED-PAYLOAD` is signed instead (S3 over TLS, for large bodies).
        case unsigned
    }

    /// The intermediate and final values of one signature, exposed for tests and diagnostics.
    public struct Signature: Sendable, Equatable {
        /// The canonical request (task 1).
        public var canonicalRequest: String
        /// The string to sign (task 2).
        public var stringToSign: String
        /// The lowercase hex signature (task 3).
        public var signature: String
        /// The `Authorization` header value (task 4).
        public var authorization: String
        /// The `X-Amz-Date` value used.
        public var amzDate: String
        /// The lowercase, `;`-joined names of the signed headers.
        public var signedHeaders: String
    }

    /// The credentials that sign.
    public var credentials: AWSCredentials
    /// The region in the credential scope, e.g. `us-east-1`.
    public var region: String
    /// The signing name of the service, e.g. `dynamodb`, `s3`, `iam`.
    public var service: String

    /// Headers never signed: they are changed by proxies or added by the transport.
    private static let unsignedHeaders: Set<String> = ["authorization", "user-agent", "expect", "x-amzn-trace-id", "content-length", "connection"]

    /// Creates a signer.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// S3 signs the path as sent and carries the payload hash in `x-amz-content-sha256`.
    private var isS3: Bool { service == "s3" || service == "s3-object-lambda" || service == "s3express" }

    /// Returns `request` with `Host`, `X-Amz-Date`, `X-Amz-Security-Token`, (S3) `X-Amz-Content-Sha256` and `Authorization` set.
    public func sign(_ request: HTTPRequest, date: Date, payload: PayloadSigning = .signed) -> HTTPRequest {
        var prepared = prepare(request, date: date, payload: payload)
        let signature = computeSignature(prepared, date: date, payload: payload)
        prepared.headers.replaceOrAdd(name: "Authorization", value: signature.authorization)
        return prepared
    }

    /// The signature `sign` would add, with its canonical request and string to sign.
    public func signature(for request: HTTPRequest, date: Date, payload: PayloadSigning = .signed) -> Signature {
        computeSignature(prepare(request, date: date, payload: payload), date: date, payload: payload)
    }

    /// Adds the headers that take part in the signature.
    private func prepare(_ request: HTTPRequest, date: Date, payload: PayloadSigning) -> HTTPRequest {
        var request = request
        request.headers.remove("Authorization")
        if !request.headers.contains("Host") {
            request.headers.add(name: "Host", value: Self.hostHeader(of: request.url))
        }
        request.headers.replaceOrAdd(name: "X-Amz-Date", value: AWSTimestamp.amzDate(date))
        if let token = credentials.sessionToken {
            request.headers.replaceOrAdd(name: "X-Amz-Security-Token", value: token)
        }
        if isS3 {
            request.headers.replaceOrAdd(name: "X-Amz-Content-Sha256", value: payloadHash(request.body, payload))
        }
        return request
    }

    private func payloadHash(_ body: [UInt8], _ payload: PayloadSigning) -> String {
        payload == .unsigned && isS3 ? "UNSIGNED-PAYLOAD" : Hex.encode(Digest.sha256(body))
    }

    private func computeSignature(_ request: HTTPRequest, date: Date, payload: PayloadSigning) -> Signature {
        let amzDate = AWSTimestamp.amzDate(date)
        let day = String(amzDate.prefix(8))
        let parts = Self.splitURL(request.url)

        // Task 1: canonical request.
        var canonicalHeaders: [String: [String]] = [:]
        for field in request.headers where !Self.unsignedHeaders.contains(field.name.lowercased()) {
            canonicalHeaders[field.name.lowercased(), default: []].append(Self.trimHeaderValue(field.value))
        }
        let names = canonicalHeaders.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let headerBlock = names.map { "\($0):\(canonicalHeaders[$0]!.joined(separator: ","))\n" }.joined()
        // S3 signs the path exactly as sent; every other service URI-encodes the sent path once more.
        let canonicalURI = parts.path.isEmpty ? "/" : (isS3 ? String(parts.path) : Self.uriEncode(String(parts.path), keepSlash: true))
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI,
            Self.canonicalQuery(parts.query),
            headerBlock,
            signedHeaders,
            payloadHash(request.body, payload),
        ].joined(separator: "\n")

        // Task 2: string to sign.
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Hex.encode(Digest.sha256(canonicalRequest))].joined(separator: "\n")

        // Task 3: signing key and signature.
        let signature = Hex.encode(Digest.hmacSHA256(key: signingKey(day: day), message: Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            signature: signature,
            authorization: authorization,
            amzDate: amzDate,
            signedHeaders: signedHeaders
        )
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    private func signingKey(day: String) -> [UInt8] {
        var key = Digest.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), message: Array(day.utf8))
        for part in [region, service, "aws4_request"] {
            key = Digest.hmacSHA256(key: key, message: Array(part.utf8))
        }
        return key
    }

    // MARK: - Encoding rules

    /// RFC 3986 percent-encoding as SigV4 defines it: only `A-Z a-z 0-9 - . _ ~` stay literal.
    public static func uriEncode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out.append("%")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    /// Decodes `%XX` escapes; `+` stays a plus sign, as AWS treats it in query strings.
    static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parameters decoded, re-encoded, then sorted by name and value.
    static func canonicalQuery(_ query: Substring) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
            let pieces = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = uriEncode(percentDecode(pieces[0]))
            let value = pieces.count > 1 ? uriEncode(percentDecode(pieces[1])) : ""
            return (name, value)
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Builds a query string whose encoding matches what the signer canonicalises.
    public static func queryString(_ parameters: [(name: String, value: String)]) -> String {
        parameters.map { "\(uriEncode($0.name))=\(uriEncode($0.value))" }.joined(separator: "&")
    }

    /// Splits an absolute URL into authority, path and query without decoding or normalising anything.
    static func splitURL(_ url: String) -> (scheme: Substring, authority: Substring, path: Substring, query: Substring) {
        var rest = url[...]
        var scheme: Substring = ""
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound]
            rest = rest[range.upperBound...]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let question = rest.firstIndex(of: "?") {
            return (scheme, authority, rest[..<question], rest[rest.index(after: question)...])
        }
        return (scheme, authority, rest, "")
    }

    /// The Host header value for `url`: host[:port], with the scheme's default port omitted.
    static func hostHeader(of url: String) -> String {
        let parts = splitURL(url)
        var authority = parts.authority
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let scheme = parts.scheme.lowercased()
        if scheme == "https", authority.hasSuffix(":443") { return String(authority.dropLast(4)) }
        if scheme == "http", authority.hasSuffix(":80") { return String(authority.dropLast(3)) }
        return String(authority)
    }

    /// Trims the value and collapses runs of spaces, as the canonical header form requires.
    private static func trimHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
