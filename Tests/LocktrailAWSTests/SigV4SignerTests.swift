import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

/// Vectors from AWS's published SigV4 test suite (aws-sig-v4-test-suite, 2015 edition) and the S3 docs.
@Suite("SigV4 signer")
struct SigV4SignerTests {
    static let suiteCredentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    )
    /// 20150830T123600Z
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var url: String
        var headers: HTTPHeaders
        var body: String
        var signedHeaders: String
        var signature: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(
            name: "get-vanilla", method: "GET", url: "https://example.amazonaws.com/", headers: [:], body: "",
            signedHeaders: "host;x-amz-date",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        Vector(
            name: "get-vanilla-query-order-key-case", method: "GET",
            url: "https://example.amazonaws.com/?Param2=value2&Param1=value1", headers: [:], body: "",
            signedHeaders: "host;x-amz-date",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ),
        Vector(
            name: "get-vanilla-query-order-key", method: "GET",
            url: "https://example.amazonaws.com/?Param1=value2&Param1=Value1", headers: [:], body: "",
            signedHeaders: "host;x-amz-date",
            signature: "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"
        ),
        Vector(
            name: "post-vanilla", method: "POST", url: "https://example.amazonaws.com/", headers: [:], body: "",
            signedHeaders: "host;x-amz-date",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ),
        Vector(
            name: "post-x-www-form-urlencoded", method: "POST", url: "https://example.amazonaws.com/",
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: "Param1=value1",
            signedHeaders: "content-type;host;x-amz-date",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        ),
        Vector(
            name: "get-header-value-trim", method: "GET", url: "https://example.amazonaws.com/",
            headers: ["My-Header1": " value1 ", "My-Header2": " \"a   b   c\" "], body: "",
            signedHeaders: "host;my-header1;my-header2;x-amz-date",
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        ),
        // The suite writes these paths raw on the request line; the signer encodes the sent path once.
        Vector(
            name: "get-utf8", method: "GET", url: "https://example.amazonaws.com/ሴ", headers: [:], body: "",
            signedHeaders: "host;x-amz-date",
            signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"
        ),
        Vector(
            name: "get-space", method: "GET", url: "https://example.amazonaws.com/example space/", headers: [:], body: "",
            signedHeaders: "host;x-amz-date",
            signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"
        ),
    ]

    @Test("AWS test-suite vector", arguments: vectors)
    func suiteVector(_ vector: Vector) {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let request = HTTPRequest(method: vector.method, url: vector.url, headers: vector.headers, body: Array(vector.body.utf8))
        let signed = signer.sign(request, date: Self.suiteDate)
        #expect(
            signed.headers["Authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)"
        )
        #expect(signed.headers["X-Amz-Date"] == "20150830T123600Z")
        #expect(signed.headers["Host"] == "example.amazonaws.com")
        // Only S3 carries the payload hash header.
        #expect(signed.headers["X-Amz-Content-Sha256"] == nil)
    }

    @Test("get-vanilla canonical request and string to sign")
    func canonicalForms() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let signature = signer.signature(for: HTTPRequest(method: "GET", url: "https://example.amazonaws.com/"), date: Self.suiteDate)
        #expect(
            signature.canonicalRequest
                == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        #expect(
            signature.stringToSign
                == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        )
    }

    /// The "GET Object" example of the S3 SigV4 documentation (header-based auth).
    @Test("S3 GET object example")
    func s3GetObject() {
        let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3")
        let request = HTTPRequest(method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt", headers: ["Range": "bytes=0-9"])
        let date = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z
        let signature = signer.signature(for: request, date: date)
        #expect(signature.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signature.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(
            signature.stringToSign
                == "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        )
        let signed = signer.sign(request, date: date)
        #expect(signed.headers["X-Amz-Content-Sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("S3 unsigned payload")
    func s3UnsignedPayload() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "s3")
        let request = HTTPRequest(method: "PUT", url: "https://bucket.s3.amazonaws.com/key", body: Array("hello".utf8))
        let signed = signer.sign(request, date: Self.suiteDate, payload: .unsigned)
        #expect(signed.headers["X-Amz-Content-Sha256"] == "UNSIGNED-PAYLOAD")
        #expect(signer.signature(for: request, date: Self.suiteDate, payload: .unsigned).canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test(
        "path encoding: S3 signs the sent path, other services encode it again",
        arguments: [
            ("s3", "/bucket/a%20b/%E1%88%B4", "/bucket/a%20b/%E1%88%B4"),
            ("dynamodb", "/a%20b", "/a%2520b"),
            ("dynamodb", "/", "/"),
            ("dynamodb", "", "/"),
        ])
    func pathEncoding(service: String, path: String, canonical: String) {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: service)
        let signature = signer.signature(for: HTTPRequest(method: "GET", url: "https://h.example\(path)"), date: Self.suiteDate)
        #expect(signature.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1] == canonical)
    }

    @Test("query parameters are decoded, re-encoded and sorted")
    func queryCanonicalisation() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let url = "https://h.example/?b=2&a=x%2Fy&a=%20&c"
        let canonical = signer.signature(for: HTTPRequest(method: "GET", url: url), date: Self.suiteDate).canonicalRequest
        #expect(canonical.split(separator: "\n", omittingEmptySubsequences: false)[2] == "a=%20&a=x%2Fy&b=2&c=")
        #expect(SigV4Signer.queryString([(name: "prefix", value: "a b/c"), (name: "list-type", value: "2")]) == "prefix=a%20b%2Fc&list-type=2")
    }

    @Test("session token is sent and signed; non-default port stays in Host")
    func sessionToken() {
        var credentials = Self.suiteCredentials
        credentials.sessionToken = "TOKEN-VALUE"
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "dynamodb")
        let signed = signer.sign(HTTPRequest(method: "POST", url: "http://127.0.0.1:5000/"), date: Self.suiteDate)
        #expect(signed.headers["X-Amz-Security-Token"] == "TOKEN-VALUE")
        #expect(signed.headers["Host"] == "127.0.0.1:5000")
        #expect(signed.headers["Authorization"]?.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,") == true)
        #expect(!String(describing: signer).contains("wJalrXUtnFEMI"))
    }
}
