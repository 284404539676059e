import Foundation
public import LocktrailHTTP

/// An error response from an AWS service: who answered, to what, with which code and message.
public struct AWSError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// An AWS error code such as `ResourceNotFoundException`; open-ended, compare with the constants.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as AWS spells it, without any `namespace#` prefix.
        public var rawValue: String
        /// Wraps a code string.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code string.
        public var description: String { rawValue }

        /// DynamoDB: a condition expression evaluated to false.
        public static let conditionalCheckFailed = Code(rawValue: "ConditionalCheckFailedException")
        /// DynamoDB: the table (or index) does not exist.
        public static let resourceNotFound = Code(rawValue: "ResourceNotFoundException")
        /// DynamoDB: the table already exists (CreateTable).
        public static let resourceInUse = Code(rawValue: "ResourceInUseException")
        /// JSON-protocol services: the caller lacks a permission.
        public static let accessDeniedException = Code(rawValue: "AccessDeniedException")
        /// Query/REST services (and moto for every service): the caller lacks a permission.
        public static let accessDenied = Code(rawValue: "AccessDenied")
        /// The request was malformed.
        public static let validation = Code(rawValue: "ValidationException")
        /// The access key id is unknown.
        public static let unrecognizedClient = Code(rawValue: "UnrecognizedClientException")
        /// The signature did not match: usually a wrong secret key.
        public static let signatureDoesNotMatch = Code(rawValue: "SignatureDoesNotMatch")
        /// The session token has expired.
        public static let expiredToken = Code(rawValue: "ExpiredTokenException")
        /// DynamoDB Streams: the shard iterator is older than 15 minutes; get a new one after the last record read.
        public static let expiredIterator = Code(rawValue: "ExpiredIteratorException")
        /// DynamoDB Streams: the position is past the stream's 24-hour retention; those records are gone.
        public static let trimmedDataAccess = Code(rawValue: "TrimmedDataAccessException")
        /// SQS: the queue URL names no queue.
        public static let queueDoesNotExist = Code(rawValue: "QueueDoesNotExist")
        /// SQS: a receipt handle is malformed or from another queue.
        public static let receiptHandleIsInvalid = Code(rawValue: "ReceiptHandleIsInvalid")
        /// S3: no object with this key (GetObject).
        public static let noSuchKey = Code(rawValue: "NoSuchKey")
        /// S3: no version with this version id.
        public static let noSuchVersion = Code(rawValue: "NoSuchVersion")
        /// S3: the bucket does not exist.
        public static let noSuchBucket = Code(rawValue: "NoSuchBucket")
        /// S3: a body-less 404 (HeadObject on a missing key or version).
        public static let notFound = Code(rawValue: "NotFound")
        /// S3: a conditional write failed (`If-None-Match: *` on an existing key: the lock is held).
        public static let preconditionFailed = Code(rawValue: "PreconditionFailed")
        /// S3: the bucket lives in another region (HTTP 301).
        public static let permanentRedirect = Code(rawValue: "PermanentRedirect")
        /// S3: the request was signed for the wrong region.
        public static let authorizationHeaderMalformed = Code(rawValue: "AuthorizationHeaderMalformed")
    }

    /// The signing name of the service, e.g. `dynamodb`.
    public var service: String
    /// The API operation, e.g. `Scan`.
    public var operation: String
    /// The HTTP status of the error response.
    public var statusCode: Int
    /// The AWS error code.
    public var code: Code
    /// AWS's message (contains no secrets; AWS never echoes them).
    public var message: String
    /// The request id, for AWS support and CloudTrail.
    public var requestID: String?
    /// The resource the call was about (table name or ARN, bucket), when the caller knows it.
    public var resource: String?
    /// S3: the region the bucket lives in, from `x-amz-bucket-region` or the error's `<Region>`.
    public var bucketRegion: String?
    /// The IAM action the call needed when it differs from `service:operation` (S3's `s3:ListBucket` for ListObjectsV2).
    public var iamAction: String?

    /// Creates an error.
    public init(
        service: String,
        operation: String,
        statusCode: Int,
        code: Code,
        message: String,
        requestID: String? = nil,
        resource: String? = nil,
        bucketRegion: String? = nil,
        iamAction: String? = nil
    ) {
        self.service = service
        self.operation = operation
        self.statusCode = statusCode
        self.code = code
        self.message = message
        self.requestID = requestID
        self.resource = resource
        self.bucketRegion = bucketRegion
        self.iamAction = iamAction
    }

    /// The IAM action the call needed, e.g. `dynamodb:Scan`, `s3:ListBucket`.
    public var permission: String { iamAction ?? "\(service):\(operation)" }

    /// Whether S3 answered that the bucket is in another region than the request was sent to or signed for.
    public var isWrongRegion: Bool {
        statusCode == 301 || statusCode == 307 || code == .permanentRedirect || code == .authorizationHeaderMalformed
    }

    /// Whether this is a permission failure (either spelling of the code).
    public var isAccessDenied: Bool { code == .accessDenied || code == .accessDeniedException }

    /// The resource named in AWS's message (`… on resource: ARN`), else the caller's hint.
    public var deniedResource: String? {
        if let range = message.range(of: "on resource: ") {
            let tail = message[range.upperBound...]
            let arn = tail.prefix { !$0.isWhitespace }
            if !arn.isEmpty { return String(arn.hasSuffix(".") ? arn.dropLast() : arn) }
        }
        return resource
    }

    /// One actionable sentence.
    public var description: String {
        let request = requestID.map { ", request id \($0)" } ?? ""
        // Once S3 has named the bucket's region, every failure should say it: it is the likeliest misconfiguration.
        let region = bucketRegion.map { " (the bucket is in region \($0))" } ?? ""
        if isAccessDenied {
            let target = deniedResource.map { " on \($0)" } ?? ""
            return
                "AWS denied \(permission)\(target)\(region): grant the calling identity the IAM permission \(permission)\(target) (\(code)\(request))."
        }
        let about = resource.map { " for \($0)" } ?? ""
        let hint: String
        switch code {
        case .resourceNotFound: hint = "check the name and region"
        case .expiredIterator: hint = "the shard iterator is older than 15 minutes; get a new one after the last sequence number read"
        case .trimmedDataAccess: hint = "those stream records are past the 24-hour retention and are gone; resynchronise from a scan"
        case .queueDoesNotExist: hint = "check the queue URL and region"
        case .receiptHandleIsInvalid: hint = "the receipt handle is not one this queue issued"
        case .unrecognizedClient: hint = "the access key id is not known to this endpoint; check the credentials and endpoint"
        case .signatureDoesNotMatch: hint = "the secret access key does not match the access key id"
        case .expiredToken: hint = "the session token has expired; refresh the credentials"
        case .conditionalCheckFailed: hint = "the condition on the item was not met"
        case .preconditionFailed where operation == "DeleteObject": hint = "the object changed since it was read (its ETag no longer matches)"
        case .preconditionFailed: hint = "the object already exists (for a .tflock key: the lock is held)"
        case .noSuchKey, .noSuchVersion, .notFound: hint = "the object or version does not exist (it may have been deleted or pruned)"
        case .noSuchBucket: hint = "check the bucket name"
        case _ where isWrongRegion:
            hint =
                bucketRegion.map { "use region \($0) for this bucket (AWS_REGION=\($0))" } ?? "the bucket is in another region; set AWS_REGION to it"
        default: hint = statusCode >= 500 ? "the service failed; retry later" : "fix the request"
        }
        let text = message.isEmpty ? "" : ": \(message)"
        return "\(service) \(operation)\(about)\(region) failed with \(code) (HTTP \(statusCode)\(request))\(text); \(hint)."
    }

    /// Every field, for logs.
    public var debugDescription: String {
        "AWSError(service: \(service), operation: \(operation), status: \(statusCode), code: \(code), message: \(message), requestID: \(requestID ?? "nil"), resource: \(resource ?? "nil"), bucketRegion: \(bucketRegion ?? "nil"))"
    }

    /// Builds the error from an error response of either the JSON or the XML protocols.
    public static func parse(
        response: HTTPResponse,
        service: String,
        operation: String,
        resource: String? = nil
    ) -> AWSError {
        var code: String?
        var message: String?
        var requestID = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]
        var bucketRegion = response.headers["x-amz-bucket-region"]
        if let headerType = response.headers["x-amzn-ErrorType"] {
            code = String(headerType.prefix { $0 != ":" })
        }
        let trimmed = response.body.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        if trimmed.first == UInt8(ascii: "{"),
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        {
            code = code ?? (object["__type"] as? String) ?? (object["code"] as? String) ?? (object["Code"] as? String)
            message = (object["message"] as? String) ?? (object["Message"] as? String)
        } else if trimmed.first == UInt8(ascii: "<") {
            let text = response.bodyText
            code = XMLElements.first("Code", in: text) ?? code
            message = XMLElements.first("Message", in: text)
            requestID = requestID ?? XMLElements.first("RequestId", in: text) ?? XMLElements.first("RequestID", in: text)
            // AuthorizationHeaderMalformed names the expected region in <Region>; only S3 uses it that way.
            if service == "s3" { bucketRegion = bucketRegion ?? XMLElements.first("Region", in: text) }
        }
        // JSON codes may be namespaced: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException".
        var bare = code.map { String($0.split(separator: "#").last ?? Substring($0)) } ?? ""
        if bare.isEmpty { bare = fallbackCode(status: response.status) }
        return AWSError(
            service: service,
            operation: operation,
            statusCode: response.status,
            code: Code(rawValue: bare),
            message: message ?? "",
            requestID: requestID,
            resource: resource,
            bucketRegion: bucketRegion.flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    private static func fallbackCode(status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 403: "AccessDenied"
        case 404: "NotFound"
        case 412: "PreconditionFailed"
        case 429: "TooManyRequestsException"
        case 500: "InternalServerError"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }
}
