import Foundation
import LocktrailCrypto
public import LocktrailHTTP
public import Logging

/// An S3 client on the REST-XML protocol, covering what lock-file and state-history collection needs.
///
/// Each bucket is addressed in its own region: a wrong-region answer (301 `PermanentRedirect`,
/// 400 `AuthorizationHeaderMalformed`, or `x-amz-bucket-region`) is retried once in the named
/// region, which is then remembered for the bucket.
public struct S3Client: Sendable {
    /// How bucket and key become URLs.
    public let addressing: S3Addressing
    /// The configured region: the signing region for buckets whose region is not yet known.
    public let region: String
    /// Where signing credentials come from.
    public let credentials: any AWSCredentialsProvider
    /// The HTTP transport.
    public let transport: any HTTPTransport
    /// Retry classification, attempts and backoff (SlowDown and 503 are retried).
    public let retryPolicy: RetryPolicy
    /// Where retries and region corrections are logged.
    public let logger: Logger
    /// Bucket regions learnt from redirects; shared by copies of this client.
    let bucketRegions = S3BucketRegions()

    /// Builds a client from resolved configuration: region (default `us-east-1`, corrected per bucket by
    /// redirects) and the `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`/profile endpoint.
    ///
    /// - Parameter forcePathStyle: nil chooses path-style exactly when a custom endpoint is configured.
    public init(
        configuration: AWSConfiguration,
        credentials: any AWSCredentialsProvider,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = .init(),
        forcePathStyle: Bool? = nil,
        logger: Logger = Logger(label: "locktrail.s3")
    ) {
        // S3 alone works without a configured region: the redirect tells us each bucket's region.
        var configuration = configuration
        if configuration.region == nil { configuration.region = "us-east-1" }
        let region = configuration.region ?? "us-east-1"
        let publicEndpoint = S3Addressing.publicEndpoint(region: region)
        // endpoint(serviceID:) throws only for a missing region, which was just filled in.
        let resolved = (try? configuration.endpoint(serviceID: "S3")) ?? publicEndpoint
        let custom = resolved == publicEndpoint ? nil : resolved
        self.addressing = S3Addressing(customEndpoint: custom, forcePathStyle: forcePathStyle ?? (custom != nil))
        self.region = region
        self.credentials = credentials
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.logger = logger
    }

    // MARK: Listing

    /// One ListObjectsV2 page; pass the previous page's `nextContinuationToken` to continue.
    public func listObjectsV2(
        bucket: String,
        prefix: String? = nil,
        continuationToken: String? = nil,
        maxKeys: Int? = nil
    ) async throws -> S3ObjectListingPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("encoding-type", "url")]
        if let prefix, !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let response = try await send(
            S3Operation(name: "ListObjectsV2", iamAction: "s3:ListBucket", method: "GET", bucket: bucket, query: query)
        )
        return try S3XML.objectListing(response.body)
    }

    /// Every ListObjectsV2 page under `prefix`, fetched lazily.
    public func listAllObjects(bucket: String, prefix: String? = nil, maxKeys: Int? = nil) -> S3ObjectListingPages {
        AWSPages(
            fetch: { token in
                try await self.listObjectsV2(bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: maxKeys)
            }, next: { page in page.isTruncated ? page.nextContinuationToken : nil })
    }

    /// One ListObjectVersions page; pass the previous page's `nextKeyMarker` and `nextVersionIdMarker` to continue.
    public func listObjectVersions(
        bucket: String,
        prefix: String? = nil,
        keyMarker: String? = nil,
        versionIdMarker: String? = nil,
        maxKeys: Int? = nil
    ) async throws -> S3VersionListingPage {
        var query: [(name: String, value: String)] = [("versions", ""), ("encoding-type", "url")]
        if let prefix, !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let keyMarker { query.append(("key-marker", keyMarker)) }
        if let versionIdMarker { query.append(("version-id-marker", versionIdMarker)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let response = try await send(
            S3Operation(name: "ListObjectVersions", iamAction: "s3:ListBucketVersions", method: "GET", bucket: bucket, query: query)
        )
        return try S3XML.versionListing(response.body)
    }

    /// Every ListObjectVersions page under `prefix`, fetched lazily.
    public func listAllVersions(bucket: String, prefix: String? = nil, maxKeys: Int? = nil) -> S3VersionListingPages {
        AWSPages(
            fetch: { marker in
                try await self.listObjectVersions(
                    bucket: bucket, prefix: prefix, keyMarker: marker?.key, versionIdMarker: marker?.versionID,
                    maxKeys: maxKeys)
            },
            next: { page in
                guard page.isTruncated, let key = page.nextKeyMarker else { return nil }
                return S3VersionMarker(key: key, versionID: page.nextVersionIdMarker)
            })
    }

    /// Exactly `key`'s versions and delete markers, newest first, down to the version `knownVersionID`
    /// (excluded): what changed on one key since the newest version already ingested.
    ///
    /// A listing with `prefix = key` also returns longer keys (`….tflock` for a state, `a/b.tfstate2`);
    /// they are dropped. `key` itself sorts before all of them, so no page after the first that
    /// holds another key (or the known version) is fetched.
    public func keyVersions(bucket: String, key: String, since knownVersionID: String? = nil, maxKeys: Int? = nil) async throws -> S3KeyVersions {
        try await keyVersions(bucket: bucket, key: key, stoppingAt: { knownVersionID != nil && $0 == knownVersionID }, maxKeys: maxKeys)
    }

    /// Exactly `key`'s versions and delete markers newest first, down to the first one `isKnown`
    /// accepts (its entry is `known`, not in `entries`); longer keys under the same prefix are
    /// dropped. Listing stops at the first page that holds a known entry or passes the key.
    public func keyVersions(bucket: String, key: String, stoppingAt isKnown: (String) -> Bool, maxKeys: Int? = nil) async throws -> S3KeyVersions {
        var listed: [S3VersionEntry] = []
        var pages = 0
        for try await page in listAllVersions(bucket: bucket, prefix: key, maxKeys: maxKeys) {
            pages += 1
            listed += page.entries.filter { $0.key == key }
            let passedKey = page.entries.contains { $0.key != key }
            if passedKey || listed.contains(where: { isKnown($0.versionId) }) { break }
        }
        var newer: [S3VersionEntry] = []
        var known: S3VersionEntry?
        for entry in S3KeyVersions.newestFirst(listed) {
            if isKnown(entry.versionId) {
                known = entry
                break
            }
            newer.append(entry)
        }
        var result = S3KeyVersions(bucket: bucket, key: key, entries: newer, reachedKnown: known != nil, pages: pages)
        result.known = known
        result.listed = S3KeyVersions.newestFirst(listed)
        return result
    }

    // MARK: Objects

    /// The object (or `range` of it, HTTP 206); a missing key or version throws `AWSError` `.noSuchKey`/`.noSuchVersion`.
    public func getObject(bucket: String, key: String, versionId: String? = nil, range: ClosedRange<Int>? = nil) async throws -> S3Object {
        var headers: HTTPHeaders = [:]
        if let range { headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound)") }
        let response = try await send(
            S3Operation(
                name: "GetObject",
                iamAction: versionId == nil ? "s3:GetObject" : "s3:GetObjectVersion",
                method: "GET",
                bucket: bucket,
                key: key,
                query: versionId.map { [("versionId", $0)] } ?? [],
                headers: headers
            )
        )
        let head = Self.head(from: response)
        return S3Object(
            body: response.body,
            eTag: head.eTag,
            versionId: head.versionId,
            lastModified: head.lastModified,
            contentLength: head.contentLength,
            contentRange: response.headers["Content-Range"],
            contentType: head.contentType,
            statusCode: response.status
        )
    }

    /// The object's metadata without its body; a missing key or version throws `AWSError` `.notFound`.
    public func headObject(bucket: String, key: String, versionId: String? = nil) async throws -> S3ObjectHead {
        let response = try await send(
            S3Operation(
                name: "HeadObject",
                iamAction: versionId == nil ? "s3:GetObject" : "s3:GetObjectVersion",
                method: "HEAD",
                bucket: bucket,
                key: key,
                query: versionId.map { [("versionId", $0)] } ?? []
            )
        )
        return Self.head(from: response)
    }

    /// Runs many GETs with at most `maxConcurrent` in flight; results in request order, each the object or its own error.
    ///
    /// Throws only `CancellationError`, when the calling task is cancelled before all GETs started.
    public func getObjects(_ requests: [S3GetRequest], maxConcurrent: Int = 16) async throws -> [S3GetResult] {
        let width = max(1, maxConcurrent)
        var results = [S3GetResult?](repeating: nil, count: requests.count)
        try await withThrowingTaskGroup(of: (Int, S3GetResult).self) { group in
            var next = 0
            func start(_ index: Int) {
                let request = requests[index]
                group.addTask {
                    do {
                        let object = try await getObject(bucket: request.bucket, key: request.key, versionId: request.versionId, range: request.range)
                        return (index, .success(object))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(width, requests.count) {
                start(next)
                next += 1
            }
            // A new GET starts only when one finishes, so the group never holds more than `width`.
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < requests.count {
                    try Task.checkCancellation()
                    start(next)
                    next += 1
                }
            }
        }
        return results.map { $0 ?? .failure(CancellationError()) }
    }

    // MARK: Bucket

    /// The bucket's versioning state.
    public func getBucketVersioning(bucket: String) async throws -> S3VersioningStatus {
        let response = try await send(
            S3Operation(name: "GetBucketVersioning", iamAction: "s3:GetBucketVersioning", method: "GET", bucket: bucket, query: [("versioning", "")])
        )
        return try S3XML.versioningStatus(response.body)
    }

    // MARK: Writing (tests and the demo)

    /// Creates `bucket` in the client's region (with a `LocationConstraint` outside us-east-1).
    public func createBucket(bucket: String) async throws {
        var body: [UInt8] = []
        if region != "us-east-1" {
            body = Array(
                """
                <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                <LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>
                """.utf8
            )
        }
        _ = try await send(
            S3Operation(
                name: "CreateBucket", iamAction: "s3:CreateBucket", method: "PUT", bucket: bucket,
                headers: body.isEmpty ? [:] : ["Content-Type": "application/xml"], body: body
            ),
            followRedirects: false
        )
        await bucketRegions.set(region, for: bucket)
    }

    /// Turns versioning on (`enabled`) or suspends it.
    public func putBucketVersioning(bucket: String, enabled: Bool) async throws {
        let status = enabled ? "Enabled" : "Suspended"
        let body = Array(
            """
            <VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>\(status)</Status></VersioningConfiguration>
            """.utf8
        )
        _ = try await send(
            S3Operation(
                name: "PutBucketVersioning", iamAction: "s3:PutBucketVersioning", method: "PUT", bucket: bucket,
                query: [("versioning", "")], headers: ["Content-Type": "application/xml", "Content-MD5": Self.contentMD5(body)], body: body
            )
        )
    }

    /// Writes an object; with `ifNoneMatch: "*"` an existing key throws `AWSError` `.preconditionFailed` (HTTP 412).
    ///
    /// Returns the new version id when the bucket is versioned.
    @discardableResult
    public func putObject(
        bucket: String,
        key: String,
        body: [UInt8],
        contentType: String? = nil,
        ifNoneMatch: String? = nil
    ) async throws -> S3ObjectHead {
        var headers: HTTPHeaders = [:]
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        if let ifNoneMatch { headers.add(name: "If-None-Match", value: ifNoneMatch) }
        let response = try await send(
            S3Operation(name: "PutObject", iamAction: "s3:PutObject", method: "PUT", bucket: bucket, key: key, headers: headers, body: body)
        )
        var head = Self.head(from: response)
        head.contentLength = Int64(body.count)
        head.contentType = contentType
        return head
    }

    /// Deletes the object (on a versioned bucket without `versionId`: adds a delete marker); returns the marker's or deleted version's id.
    ///
    /// With `ifMatch` (an ETag, as `getObject` returns it) S3 deletes only while the object still
    /// has that ETag: otherwise it throws `AWSError` `.preconditionFailed` (HTTP 412), or
    /// `.noSuchKey` when the object is gone, and nothing is deleted.
    @discardableResult
    public func deleteObject(bucket: String, key: String, versionId: String? = nil, ifMatch eTag: String? = nil) async throws -> String? {
        var headers: HTTPHeaders = [:]
        // ETags travel quoted on the wire; S3XML.unquote removed the quotes when it was read.
        if let eTag { headers.add(name: "If-Match", value: eTag.hasPrefix("\"") ? eTag : "\"\(eTag)\"") }
        let response = try await send(
            S3Operation(
                name: "DeleteObject",
                iamAction: versionId == nil ? "s3:DeleteObject" : "s3:DeleteObjectVersion",
                method: "DELETE",
                bucket: bucket,
                key: key,
                query: versionId.map { [("versionId", $0)] } ?? [],
                headers: headers
            )
        )
        return response.headers["x-amz-version-id"]
    }

    // MARK: Wire

    /// Sends `operation` to the bucket's region; on a wrong-region answer learns the region and retries once.
    func send(_ operation: S3Operation, followRedirects: Bool = true) async throws -> HTTPResponse {
        let known = await bucketRegions.region(for: operation.bucket)
        let firstRegion = known ?? region
        do {
            return try await send(operation, region: firstRegion)
        } catch let error as AWSError where followRedirects && error.isWrongRegion {
            guard let bucketRegion = error.bucketRegion, bucketRegion != firstRegion else { throw error }
            logger.info(
                "bucket is in another region; retrying there",
                metadata: ["s3.bucket": "\(operation.bucket)", "aws.region": "\(firstRegion)", "s3.bucket_region": "\(bucketRegion)"]
            )
            await bucketRegions.set(bucketRegion, for: operation.bucket)
            do {
                return try await send(operation, region: bucketRegion)
            } catch var retryError as AWSError {
                // Whatever fails now, the user should learn where the bucket really is.
                retryError.bucketRegion = retryError.bucketRegion ?? bucketRegion
                throw retryError
            }
        }
    }

    /// Signs for `region`, sends with retries, and names the IAM action and resource in errors.
    private func send(_ operation: S3Operation, region: String) async throws -> HTTPResponse {
        let service = AWSServiceClient(
            service: "s3",
            region: region,
            endpoint: addressing.baseURL(region: region),
            credentials: credentials,
            transport: transport,
            retryPolicy: retryPolicy,
            logger: logger
        )
        let request = HTTPRequest(
            method: operation.method,
            url: addressing.url(bucket: operation.bucket, key: operation.key, query: operation.query, region: region),
            headers: operation.headers,
            body: operation.body
        )
        do {
            return try await service.send(request, operation: operation.name, resource: operation.resource(region: region))
        } catch var error as AWSError {
            error.iamAction = operation.iamAction
            throw error
        }
    }

    /// Reads the object headers shared by GET, HEAD and PUT responses.
    private static func head(from response: HTTPResponse) -> S3ObjectHead {
        S3ObjectHead(
            eTag: S3XML.unquote(response.headers["ETag"] ?? ""),
            versionId: response.headers["x-amz-version-id"].flatMap { $0.isEmpty ? nil : $0 },
            lastModified: response.headers["Last-Modified"].flatMap(HTTPDate.parse),
            contentLength: response.headers["Content-Length"].flatMap { Int64($0) } ?? Int64(response.body.count),
            contentType: response.headers["Content-Type"]
        )
    }

    /// Base64 MD5 of `body`: S3 requires Content-MD5 on PutBucketVersioning.
    private static func contentMD5(_ body: [UInt8]) -> String {
        Data(Digest.md5(body)).base64EncodedString()
    }
}

/// One S3 API call, described independently of region and addressing so it can be re-sent after a redirect.
struct S3Operation: Sendable {
    var name: String
    var iamAction: String
    var method: String
    var bucket: String
    var key: String? = nil
    var query: [(name: String, value: String)] = []
    var headers: HTTPHeaders = [:]
    var body: [UInt8] = []

    /// The ARN IAM policies use for this call's resource, so access-denied messages can be pasted into a policy.
    func resource(region: String) -> String {
        let partition = region.hasPrefix("cn-") ? "aws-cn" : (region.hasPrefix("us-gov-") ? "aws-us-gov" : "aws")
        return "arn:\(partition):s3:::\(bucket)" + (key.map { "/\($0)" } ?? "")
    }
}

/// Bucket → region, learnt from wrong-region answers; an actor because concurrent GETs share it.
actor S3BucketRegions {
    private var regions: [String: String] = [:]

    func region(for bucket: String) -> String? { regions[bucket] }

    func set(_ region: String, for bucket: String) { regions[bucket] = region }
}

/// How bucket and key become a request URL: virtual-hosted (`https://BUCKET.s3.REGION.amazonaws.com/KEY`)
/// or path-style (`https://s3.REGION.amazonaws.com/BUCKET/KEY`, and every custom endpoint by default).
public struct S3Addressing: Sendable, Equatable {
    /// The configured endpoint (`AWS_ENDPOINT_URL_S3`, …) without trailing slash; nil for AWS's regional endpoints.
    public var customEndpoint: String?
    /// Whether every bucket goes in the path rather than the host name.
    public var forcePathStyle: Bool

    /// Creates addressing rules.
    public init(customEndpoint: String?, forcePathStyle: Bool) {
        self.customEndpoint = customEndpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.forcePathStyle = forcePathStyle
    }

    /// AWS's regional S3 endpoint, e.g. `https://s3.eu-west-1.amazonaws.com`.
    public static func publicEndpoint(region: String) -> String {
        "https://s3.\(region).\(region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com")"
    }

    /// Whether `bucket` can be a DNS label under TLS: 3–63 of `a-z 0-9 -`, alphanumeric at both ends, no dots.
    ///
    /// Dotted names break the `*.s3.REGION.amazonaws.com` wildcard certificate; legacy upper-case or
    /// underscore names are not valid host names at all. Both go path-style.
    public static func isVirtualHostable(_ bucket: String) -> Bool {
        let bytes = Array(bucket.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whether requests for `bucket` put the bucket in the path.
    public func usesPathStyle(for bucket: String) -> Bool {
        forcePathStyle || !Self.isVirtualHostable(bucket)
    }

    /// The endpoint requests for buckets in `region` go to, before any bucket is added.
    public func baseURL(region: String) -> String {
        customEndpoint ?? Self.publicEndpoint(region: region)
    }

    /// The full request URL, percent-encoded as SigV4 for S3 expects (the key keeps its `/`).
    public func url(bucket: String, key: String? = nil, query: [(name: String, value: String)] = [], region: String) -> String {
        let base = baseURL(region: region)
        var url: String
        if usesPathStyle(for: bucket) {
            url = base + "/" + SigV4Signer.uriEncode(bucket)
        } else {
            // Insert the bucket as the first host label: scheme://bucket.host[:port].
            let parts = SigV4Signer.splitURL(base)
            let scheme = parts.scheme.isEmpty ? "https" : String(parts.scheme)
            url = "\(scheme)://\(bucket).\(parts.authority)\(parts.path)"
        }
        if let key {
            url += "/" + SigV4Signer.uriEncode(key, keepSlash: true)
        } else if !usesPathStyle(for: bucket) {
            url += "/"
        }
        if !query.isEmpty {
            // Valueless sub-resources (`?versioning`) are sent as `name=`; S3 and the signer treat both alike.
            url += "?" + SigV4Signer.queryString(query)
        }
        return url
    }
}

/// RFC 7231 `Last-Modified` dates (`Tue, 04 Mar 2025 05:06:07 GMT`).
enum HTTPDate {
    /// Parses an IMF-fixdate; nil for anything else.
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
