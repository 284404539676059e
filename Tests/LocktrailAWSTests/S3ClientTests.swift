import Foundation
import LocktrailAWS
import LocktrailHTTP
import Synchronization
import Testing

/// S3Client against scripted responses: XML shapes, addressing, region redirects, errors, batching.
@Suite("S3 client")
struct S3ClientTests {
    static let credentials = StaticCredentialsProvider(
        AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    )

    static func client(
        _ transport: any HTTPTransport,
        region: String? = "us-east-1",
        environment: [String: String] = [:],
        forcePathStyle: Bool? = nil,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 1)
    ) -> S3Client {
        S3Client(
            configuration: AWSConfiguration(environment: environment, region: region),
            credentials: credentials,
            transport: transport,
            retryPolicy: retry,
            forcePathStyle: forcePathStyle
        )
    }

    static func xml(_ status: Int, _ body: String, headers: HTTPHeaders = ["Content-Type": "application/xml"]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)!
    }

    /// The region in the request's SigV4 credential scope.
    static func signingRegion(_ request: HTTPRequest) -> String? {
        guard let authorization = request.headers["Authorization"], let credential = authorization.range(of: "Credential=") else { return nil }
        let scope = authorization[credential.upperBound...].prefix { $0 != "," }.split(separator: "/")
        return scope.count >= 3 ? String(scope[2]) : nil
    }

    // MARK: XML documents

    static let listObjectsV2Page = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>my-bucket</Name>
          <Prefix>env%3A/</Prefix>
          <KeyCount>2</KeyCount>
          <MaxKeys>2</MaxKeys>
          <EncodingType>url</EncodingType>
          <IsTruncated>true</IsTruncated>
          <ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>
          <NextContinuationToken>1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==</NextContinuationToken>
          <Contents>
            <Key>env%3A/dev/app.tfstate</Key>
            <LastModified>2025-03-04T05:06:07.000Z</LastModified>
            <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
            <ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>
            <Size>5123</Size>
            <StorageClass>STANDARD</StorageClass>
          </Contents>
          <Contents>
            <Key>env%3A/dev/a+b%2Bc.tfstate.tflock</Key>
            <LastModified>2025-03-04T05:06:08.5Z</LastModified>
            <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>
            <Size>0</Size>
            <StorageClass>STANDARD</StorageClass>
          </Contents>
        </ListBucketResult>
        """

    @Test("ListObjectsV2: URL-decoded keys, unquoted ETags, dates, continuation token, request shape")
    func listObjectsV2Parsing() async throws {
        let transport = ScriptedTransport { _, _ in Self.xml(200, Self.listObjectsV2Page) }
        let page = try await Self.client(transport).listObjectsV2(bucket: "my-bucket", prefix: "env:/", maxKeys: 2)
        #expect(page.objects.map(\.key) == ["env:/dev/app.tfstate", "env:/dev/a b+c.tfstate.tflock"])
        #expect(page.objects.map(\.eTag) == ["9b2cf535f27731c974343645a3985328", "d41d8cd98f00b204e9800998ecf8427e"])
        #expect(page.objects.map(\.size) == [5123, 0])
        #expect(page.objects[0].lastModified == Self.date("2025-03-04T05:06:07.000Z"))
        #expect(page.objects[1].lastModified == Self.date("2025-03-04T05:06:08.500Z"))
        #expect(page.objects[0].storageClass == "STANDARD")
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==")

        let request = try #require(transport.requests.first)
        #expect(request.method == "GET")
        #expect(request.url == "https://my-bucket.s3.us-east-1.amazonaws.com/?list-type=2&encoding-type=url&prefix=env%3A%2F&max-keys=2")
    }

    @Test("listing keys are decoded only when S3 says it encoded them")
    func noEncodingTypeNoDecoding() async throws {
        let body = """
            <ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated>
            <Contents><Key>100%25 a+b</Key><LastModified>2025-03-04T05:06:07Z</LastModified><ETag>"x"</ETag><Size>1</Size></Contents>
            </ListBucketResult>
            """
        let transport = ScriptedTransport { _, _ in Self.xml(200, body) }
        let page = try await Self.client(transport).listObjectsV2(bucket: "b-b")
        #expect(page.objects.map(\.key) == ["100%25 a+b"])
        #expect(page.nextContinuationToken == nil)
        #expect(!page.isTruncated)
    }

    static let listVersionsPage = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>my-bucket</Name>
          <Prefix>env%3A/dev/</Prefix>
          <KeyMarker></KeyMarker>
          <VersionIdMarker></VersionIdMarker>
          <NextKeyMarker>env%3A/dev/app.tfstate.tflock</NextKeyMarker>
          <NextVersionIdMarker>3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY</NextVersionIdMarker>
          <MaxKeys>4</MaxKeys>
          <EncodingType>url</EncodingType>
          <IsTruncated>true</IsTruncated>
          <Version>
            <Key>env%3A/dev/app.tfstate</Key>
            <VersionId>null</VersionId>
            <IsLatest>true</IsLatest>
            <LastModified>2025-03-04T05:06:00.000Z</LastModified>
            <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
            <Size>434234</Size>
            <StorageClass>STANDARD</StorageClass>
            <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
          </Version>
          <DeleteMarker>
            <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
            <Key>env%3A/dev/app.tfstate.tflock</Key>
            <VersionId>8Zs5Q4rm.2zH_QEAyv2Kum0B5bvJ2eWP</VersionId>
            <IsLatest>true</IsLatest>
            <LastModified>2025-03-04T05:07:10.000Z</LastModified>
          </DeleteMarker>
          <Version>
            <Key>env%3A/dev/app.tfstate.tflock</Key>
            <VersionId>UIORUnfndfiufdisojhr398493jfdkjFJjkndnqUifhnw89493jJFJ</VersionId>
            <IsLatest>false</IsLatest>
            <LastModified>2025-03-04T05:06:07.000Z</LastModified>
            <ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag>
            <Size>221</Size>
            <StorageClass>STANDARD</StorageClass>
          </Version>
          <DeleteMarker>
            <Key>env%3A/dev/app.tfstate.tflock</Key>
            <VersionId>3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY</VersionId>
            <IsLatest>false</IsLatest>
            <LastModified>2025-03-04T05:05:00.000Z</LastModified>
          </DeleteMarker>
        </ListVersionsResult>
        """

    @Test("ListObjectVersions: versions and delete markers interleaved in document order")
    func listVersionsParsing() async throws {
        let transport = ScriptedTransport { _, _ in Self.xml(200, Self.listVersionsPage) }
        let page = try await Self.client(transport).listObjectVersions(bucket: "my-bucket", prefix: "env:/dev/", maxKeys: 4)
        #expect(page.entries.map(\.isDeleteMarker) == [false, true, false, true])
        #expect(
            page.entries.map(\.key) == [
                "env:/dev/app.tfstate", "env:/dev/app.tfstate.tflock", "env:/dev/app.tfstate.tflock", "env:/dev/app.tfstate.tflock",
            ])
        #expect(page.entries.map(\.isLatest) == [true, true, false, false])
        #expect(page.versions.map(\.versionId) == ["null", "UIORUnfndfiufdisojhr398493jfdkjFJjkndnqUifhnw89493jJFJ"])
        #expect(page.versions.map(\.eTag) == ["fba9dede5f27731c9771645a39863328", "0cc175b9c0f1b6a831c399e269772661"])
        #expect(page.versions.map(\.size) == [434234, 221])
        #expect(page.deleteMarkers.map(\.versionId) == ["8Zs5Q4rm.2zH_QEAyv2Kum0B5bvJ2eWP", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"])
        #expect(page.deleteMarkers[0].lastModified == Self.date("2025-03-04T05:07:10.000Z"))
        #expect(page.isTruncated)
        #expect(page.nextKeyMarker == "env:/dev/app.tfstate.tflock")
        #expect(page.nextVersionIdMarker == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
        #expect(
            transport.requests.first?.url
                == "https://my-bucket.s3.us-east-1.amazonaws.com/?versions=&encoding-type=url&prefix=env%3A%2Fdev%2F&max-keys=4")
    }

    @Test("listAllVersions follows the decoded key marker and the version-id marker, re-encoded")
    func versionPagination() async throws {
        let last = """
            <ListVersionsResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>
            <Version><Key>z</Key><VersionId>v9</VersionId><IsLatest>true</IsLatest><LastModified>2025-03-04T05:06:07Z</LastModified><ETag>"e"</ETag><Size>1</Size></Version>
            </ListVersionsResult>
            """
        let transport = ScriptedTransport { _, index in Self.xml(200, index == 0 ? Self.listVersionsPage : last) }
        var entries: [S3VersionEntry] = []
        for try await page in Self.client(transport).listAllVersions(bucket: "my-bucket", prefix: "env:/dev/") {
            entries += page.entries
        }
        #expect(entries.count == 5)
        #expect(transport.requests.count == 2)
        let second = try #require(transport.requests.last?.url)
        #expect(second.contains("key-marker=env%3A%2Fdev%2Fapp.tfstate.tflock"))
        #expect(second.contains("version-id-marker=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"))
    }

    @Test("listAllObjects passes the continuation token and stops after the last page")
    func objectPagination() async throws {
        let last = "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated></ListBucketResult>"
        let transport = ScriptedTransport { _, index in Self.xml(200, index == 0 ? Self.listObjectsV2Page : last) }
        var pages = 0
        for try await _ in Self.client(transport).listAllObjects(bucket: "my-bucket") { pages += 1 }
        #expect(pages == 2)
        #expect(transport.requests.last?.url.contains("continuation-token=1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI%2FEyIJg%3D%3D") == true)
    }

    @Test(
        "GetBucketVersioning",
        arguments: [
            (#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#, S3VersioningStatus.neverEnabled),
            (
                #"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#,
                .enabled
            ),
            (
                #"<?xml version="1.0"?><VersioningConfiguration><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>"#,
                .suspended
            ),
        ]
    )
    func bucketVersioning(body: String, expected: S3VersioningStatus) async throws {
        let transport = ScriptedTransport { _, _ in Self.xml(200, body) }
        #expect(try await Self.client(transport).getBucketVersioning(bucket: "my-bucket") == expected)
        #expect(transport.requests.first?.url == "https://my-bucket.s3.us-east-1.amazonaws.com/?versioning=")
    }

    @Test("a 2xx body that is not the expected document is a decoding error, not an empty page")
    func malformedListing() async throws {
        let transport = ScriptedTransport { _, _ in Self.xml(200, "<Error><Code>Oops</Code>") }
        await #expect(throws: S3DecodingError.self) {
            try await Self.client(transport).listObjectsV2(bucket: "my-bucket")
        }
    }

    // MARK: Errors

    static func errorDocument(_ code: String, _ message: String, extra: String = "") -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message>\(extra)<RequestId>4442587FB7D0A2F9</RequestId><HostId>abc=</HostId></Error>"
    }

    enum Call: String, CaseIterable, Sendable {
        case listObjects, listVersions, get, getVersion, head, versioning

        func run(_ client: S3Client) async throws {
            switch self {
            case .listObjects: _ = try await client.listObjectsV2(bucket: "my-bucket")
            case .listVersions: _ = try await client.listObjectVersions(bucket: "my-bucket")
            case .get: _ = try await client.getObject(bucket: "my-bucket", key: "app/terraform.tfstate")
            case .getVersion: _ = try await client.getObject(bucket: "my-bucket", key: "app/terraform.tfstate", versionId: "v1")
            case .head: _ = try await client.headObject(bucket: "my-bucket", key: "app/terraform.tfstate")
            case .versioning: _ = try await client.getBucketVersioning(bucket: "my-bucket")
            }
        }
    }

    @Test(
        "access denied names the IAM action S3 actually checks",
        arguments: [
            (Call.listObjects, "s3:ListBucket", "arn:aws:s3:::my-bucket"),
            (.listVersions, "s3:ListBucketVersions", "arn:aws:s3:::my-bucket"),
            (.get, "s3:GetObject", "arn:aws:s3:::my-bucket/app/terraform.tfstate"),
            (.getVersion, "s3:GetObjectVersion", "arn:aws:s3:::my-bucket/app/terraform.tfstate"),
            (.head, "s3:GetObject", "arn:aws:s3:::my-bucket/app/terraform.tfstate"),
            (.versioning, "s3:GetBucketVersioning", "arn:aws:s3:::my-bucket"),
        ]
    )
    func accessDenied(call: Call, permission: String, resource: String) async throws {
        // HEAD responses carry no body; the status alone must still classify the error.
        let transport = ScriptedTransport { request, _ in
            request.method == "HEAD" ? HTTPResponse(status: 403) : Self.xml(403, Self.errorDocument("AccessDenied", "Access Denied"))
        }
        let error = await #expect(throws: AWSError.self) { try await call.run(Self.client(transport)) }
        #expect(error?.isAccessDenied == true)
        #expect(error?.permission == permission)
        #expect(error?.description.contains("grant the calling identity the IAM permission \(permission) on \(resource)") == true)
    }

    @Test(
        "error documents become typed errors",
        arguments: [
            (404, "NoSuchKey", AWSError.Code.noSuchKey),
            (404, "NoSuchVersion", .noSuchVersion),
            (404, "NoSuchBucket", .noSuchBucket),
            (412, "PreconditionFailed", .preconditionFailed),
        ]
    )
    func typedErrors(status: Int, code: String, expected: AWSError.Code) async throws {
        let transport = ScriptedTransport { _, _ in Self.xml(status, Self.errorDocument(code, "The thing does not hold.")) }
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(transport).getObject(bucket: "my-bucket", key: "env:/dev/a b.tfstate")
        }
        #expect(error?.code == expected)
        #expect(error?.statusCode == status)
        #expect(error?.requestID == "4442587FB7D0A2F9")
        #expect(error?.service == "s3")
        #expect(error?.operation == "GetObject")
    }

    @Test("a body-less 404 from HEAD is NotFound")
    func headNotFound() async throws {
        let transport = ScriptedTransport { _, _ in HTTPResponse(status: 404) }
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(transport).headObject(bucket: "my-bucket", key: "gone")
        }
        #expect(error?.code == .notFound)
    }

    @Test("SlowDown and 503 are retried")
    func slowDownRetried() async throws {
        #expect(
            RetryPolicy.isRetryable(AWSError(service: "s3", operation: "GetObject", statusCode: 503, code: .init(rawValue: "SlowDown"), message: "")))
        #expect(
            RetryPolicy.isRetryable(
                AWSError(service: "s3", operation: "GetObject", statusCode: 503, code: .init(rawValue: "ServiceUnavailable"), message: "")))
        let sleeps = SleepRecorder()
        let transport = ScriptedTransport { _, index in
            index < 2
                ? Self.xml(503, Self.errorDocument("SlowDown", "Please reduce your request rate."))
                : HTTPResponse(status: 200, headers: ["ETag": "\"abc\"", "Content-Length": "2"], body: Array("{}".utf8))
        }
        let object = try await Self.client(transport, retry: sleeps.policy(maxAttempts: 4)).getObject(bucket: "my-bucket", key: "k")
        #expect(object.body == Array("{}".utf8))
        #expect(object.eTag == "abc")
        #expect(transport.requests.count == 3)
        #expect(sleeps.recorded.count == 2)
    }

    // MARK: Addressing

    @Test(
        "URL building: virtual-hosted, path-style, dotted buckets, custom endpoints, key encoding",
        arguments: [
            (
                nil, false, "my-bucket", "env:/dev/a b.tfstate", "eu-west-1",
                "https://my-bucket.s3.eu-west-1.amazonaws.com/env%3A/dev/a%20b.tfstate"
            ),
            (
                nil, true, "my-bucket", "app/terraform.tfstate", "eu-west-1",
                "https://s3.eu-west-1.amazonaws.com/my-bucket/app/terraform.tfstate"
            ),
            (
                nil, false, "my.dotted.bucket", "app/terraform.tfstate", "us-east-1",
                "https://s3.us-east-1.amazonaws.com/my.dotted.bucket/app/terraform.tfstate"
            ),
            (
                nil, false, "My_Legacy_Bucket", "k", "us-east-1",
                "https://s3.us-east-1.amazonaws.com/My_Legacy_Bucket/k"
            ),
            (
                "http://127.0.0.1:5000", true, "my-bucket", "env:/dev/a b.tfstate", "us-east-1",
                "http://127.0.0.1:5000/my-bucket/env%3A/dev/a%20b.tfstate"
            ),
            (
                "http://localhost:4566/", false, "my-bucket", "a+b=c&d.tflock", "us-east-1",
                "http://my-bucket.localhost:4566/a%2Bb%3Dc%26d.tflock"
            ),
            (
                nil, false, "cn-bucket", "ünïcode/ключ", "cn-north-1",
                "https://cn-bucket.s3.cn-north-1.amazonaws.com.cn/%C3%BCn%C3%AFcode/%D0%BA%D0%BB%D1%8E%D1%87"
            ),
        ] as [(String?, Bool, String, String, String, String)]
    )
    func urlBuilding(endpoint: String?, pathStyle: Bool, bucket: String, key: String, region: String, expected: String) {
        let addressing = S3Addressing(customEndpoint: endpoint, forcePathStyle: pathStyle)
        #expect(addressing.url(bucket: bucket, key: key, region: region) == expected)
    }

    @Test("a configured endpoint selects path-style unless told otherwise; AWS endpoints are virtual-hosted")
    func addressingFromConfiguration() {
        let transport = ScriptedTransport { _, _ in HTTPResponse(status: 200) }
        let aws = Self.client(transport, region: "eu-west-1")
        #expect(aws.addressing == S3Addressing(customEndpoint: nil, forcePathStyle: false))
        let moto = Self.client(transport, environment: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5000/"])
        #expect(moto.addressing == S3Addressing(customEndpoint: "http://127.0.0.1:5000", forcePathStyle: true))
        let generic = Self.client(transport, environment: ["AWS_ENDPOINT_URL": "http://minio:9000"], forcePathStyle: false)
        #expect(generic.addressing == S3Addressing(customEndpoint: "http://minio:9000", forcePathStyle: false))
        let forced = Self.client(transport, region: nil, forcePathStyle: true)
        #expect(forced.region == "us-east-1")
        #expect(forced.addressing.url(bucket: "b-b", region: "us-east-1") == "https://s3.us-east-1.amazonaws.com/b-b")
    }

    @Test("ranged GET sends Range and reads Content-Range, ETag, version and Last-Modified")
    func rangedGet() async throws {
        let transport = ScriptedTransport { _, _ in
            HTTPResponse(
                status: 206,
                headers: [
                    "Content-Range": "bytes 0-199/5123", "Content-Length": "200", "ETag": "\"9b2cf535f27731c974343645a3985328\"",
                    "x-amz-version-id": "v2", "Last-Modified": "Tue, 04 Mar 2025 05:06:07 GMT", "Content-Type": "application/json",
                ],
                body: Array(repeating: UInt8(ascii: "x"), count: 200)
            )
        }
        let object = try await Self.client(transport).getObject(bucket: "my-bucket", key: "app/terraform.tfstate", versionId: "v2", range: 0...199)
        let request = try #require(transport.requests.first)
        #expect(request.headers["Range"] == "bytes=0-199")
        #expect(request.url == "https://my-bucket.s3.us-east-1.amazonaws.com/app/terraform.tfstate?versionId=v2")
        #expect(object.statusCode == 206)
        #expect(object.contentRange == "bytes 0-199/5123")
        #expect(object.totalSize == 5123)
        #expect(object.contentLength == 200)
        #expect(object.versionId == "v2")
        #expect(object.eTag == "9b2cf535f27731c974343645a3985328")
        #expect(object.lastModified == Date(timeIntervalSince1970: 1_741_064_767))
        #expect(object.contentType == "application/json")
    }

    // MARK: Region redirects

    @Test("301 PermanentRedirect: retried once in the bucket's region, which is then remembered")
    func permanentRedirect() async throws {
        let transport = ScriptedTransport { request, _ in
            if request.url.contains(".s3.us-east-1.") {
                return Self.xml(
                    301,
                    Self.errorDocument(
                        "PermanentRedirect",
                        "The bucket you are attempting to access must be addressed using the specified endpoint.",
                        extra: "<Endpoint>my-bucket.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>my-bucket</Bucket>"
                    ),
                    headers: ["x-amz-bucket-region": "eu-west-1", "Content-Type": "application/xml"]
                )
            }
            return Self.xml(200, "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")
        }
        let client = Self.client(transport)
        #expect(try await client.getBucketVersioning(bucket: "my-bucket") == .enabled)
        #expect(try await client.getBucketVersioning(bucket: "my-bucket") == .enabled)
        let requests = transport.requests
        #expect(
            requests.map(\.url) == [
                "https://my-bucket.s3.us-east-1.amazonaws.com/?versioning=",
                "https://my-bucket.s3.eu-west-1.amazonaws.com/?versioning=",
                "https://my-bucket.s3.eu-west-1.amazonaws.com/?versioning=",
            ])
        #expect(requests.map(Self.signingRegion) == ["us-east-1", "eu-west-1", "eu-west-1"])
    }

    @Test("400 AuthorizationHeaderMalformed at a custom endpoint: re-signed for the named region, same host")
    func authorizationHeaderMalformed() async throws {
        let transport = ScriptedTransport { request, _ in
            if Self.signingRegion(request) == "us-east-1" {
                return Self.xml(
                    400,
                    Self.errorDocument(
                        "AuthorizationHeaderMalformed",
                        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'ap-southeast-2'",
                        extra: "<Region>ap-southeast-2</Region>"
                    )
                )
            }
            return Self.xml(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
        }
        let client = Self.client(transport, environment: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000"])
        let page = try await client.listObjectsV2(bucket: "my-bucket")
        #expect(page.objects.isEmpty)
        #expect(transport.requests.map(\.url).allSatisfy { $0.hasPrefix("http://127.0.0.1:9000/my-bucket?") })
        #expect(transport.requests.map(Self.signingRegion) == ["us-east-1", "ap-southeast-2"])
    }

    @Test("when the bucket's region also fails, the error names that region")
    func redirectThenFailure() async throws {
        let transport = ScriptedTransport { request, _ in
            if Self.signingRegion(request) == "us-east-1" {
                // HEAD: no body, the header alone says where the bucket is.
                return HTTPResponse(status: 301, headers: ["x-amz-bucket-region": "eu-central-1"])
            }
            return HTTPResponse(status: 403)
        }
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(transport).headObject(bucket: "my-bucket", key: "app/terraform.tfstate")
        }
        #expect(transport.requests.count == 2)
        #expect(error?.isAccessDenied == true)
        #expect(error?.bucketRegion == "eu-central-1")
        #expect(error?.description.contains("eu-central-1") == true)
    }

    @Test("a redirect that names no region is reported with a hint, not retried")
    func redirectWithoutRegion() async throws {
        let transport = ScriptedTransport { _, _ in Self.xml(301, Self.errorDocument("PermanentRedirect", "Use the right endpoint.")) }
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(transport).listObjectVersions(bucket: "my-bucket")
        }
        #expect(transport.requests.count == 1)
        #expect(error?.code == .permanentRedirect)
        #expect(error?.description.contains("AWS_REGION") == true)
    }

    // MARK: Batched GETs

    /// Answers after a short pause, counting how many requests are in flight at once.
    final class SlowTransport: HTTPTransport {
        private let state = Mutex((inFlight: 0, peak: 0))
        var peak: Int { state.withLock { $0.peak } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            state.withLock {
                $0.inFlight += 1
                $0.peak = max($0.peak, $0.inFlight)
            }
            defer { state.withLock { $0.inFlight -= 1 } }
            try await Task.sleep(for: .milliseconds(5))
            let key = String(request.url.split(separator: "/").last ?? "")
            if key == "missing" {
                return HTTPResponse(status: 404, body: Array(S3ClientTests.errorDocument("NoSuchKey", "The specified key does not exist.").utf8))
            }
            return HTTPResponse(status: 200, headers: ["ETag": "\"\(key)\""], body: Array(key.utf8))
        }
    }

    @Test("getObjects: at most N in flight, results in request order, one failure stays local")
    func boundedBatch() async throws {
        let transport = SlowTransport()
        var requests = (0..<40).map { S3GetRequest(bucket: "my-bucket", key: "k\($0)") }
        requests[17] = S3GetRequest(bucket: "my-bucket", key: "missing")
        let results = try await Self.client(transport).getObjects(requests, maxConcurrent: 4)
        #expect(results.count == 40)
        #expect(transport.peak <= 4)
        #expect(transport.peak > 1)
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let object):
                #expect(index != 17)
                #expect(object.body == Array("k\(index)".utf8))
            case .failure(let error):
                #expect(index == 17)
                #expect((error as? AWSError)?.code == .noSuchKey)
            }
        }
        #expect(try await Self.client(transport).getObjects([]).isEmpty)
    }
}
