import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

/// Proves the signatures are right by making moto check them.
///
/// moto verifies SigV4 only when started with `INITIAL_NO_AUTH_ACTION_COUNT=N`: the first N
/// AWS actions run unauthenticated, every later one must be signed by a known IAM user whose
/// policies allow the action. Our setup spends exactly three: CreateUser, CreateAccessKey,
/// PutUserPolicy (moto denies everything to a user without a policy, and the user cannot grant
/// itself one once checking has started).
@Suite("SigV4 verified by moto", .serialized)
struct SignatureIntegrationTests {
    static let setupActions = 3

    /// Sends one IAM query-protocol action (form-encoded POST, signed for `iam` in us-east-1).
    static func iam(_ endpoint: String, credentials: AWSCredentials, _ parameters: [(name: String, value: String)]) async throws -> String {
        let client = AWSServiceClient(
            service: "iam",
            region: "us-east-1",
            endpoint: endpoint,
            credentials: StaticCredentialsProvider(credentials),
            transport: CurlHTTPClient(),
            retryPolicy: RetryPolicy(maxAttempts: 1)
        )
        let body = SigV4Signer.queryString(parameters + [(name: "Version", value: "2010-05-08")])
        let request = HTTPRequest(
            method: "POST",
            url: "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
            body: Array(body.utf8)
        )
        return try await client.send(request, operation: parameters[0].value).bodyText
    }

    @Test("correctly signed requests pass; a wrong secret is rejected with a clear error")
    func signatureChecked() async throws {
        try await withMoto(extraEnvironment: ["INITIAL_NO_AUTH_ACTION_COUNT": "\(Self.setupActions)"]) { moto in
            // Setup actions are not checked, but moto still needs a signature to route them to IAM.
            let bootstrap = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "bootstrap")
            _ = try await Self.iam(
                moto.endpoint, credentials: bootstrap, [(name: "Action", value: "CreateUser"), (name: "UserName", value: "locktrail")])
            let keyXML = try await Self.iam(
                moto.endpoint, credentials: bootstrap, [(name: "Action", value: "CreateAccessKey"), (name: "UserName", value: "locktrail")])
            let accessKeyID = try #require(Self.element("AccessKeyId", in: keyXML))
            let secret = try #require(Self.element("SecretAccessKey", in: keyXML))
            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
            _ = try await Self.iam(
                moto.endpoint,
                credentials: bootstrap,
                [
                    (name: "Action", value: "PutUserPolicy"), (name: "UserName", value: "locktrail"),
                    (name: "PolicyName", value: "all"), (name: "PolicyDocument", value: policy),
                ]
            )

            // From here on moto checks every signature.
            let good = AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret)
            let dynamo = try DynamoDBIntegrationTests.client(moto, credentials: good, retry: RetryPolicy(maxAttempts: 1))
            try await dynamo.createTable("signed")
            try await dynamo.putItem(table: "signed", item: ["LockID": .string("a b/ሴ"), "Info": .string("{}")])
            #expect(try await dynamo.scan(table: "signed").items.count == 1)

            // S3 signs differently (path not re-encoded, x-amz-content-sha256): prove that too,
            // with a key that needs encoding and a ranged GET.
            let s3 = AWSServiceClient(
                service: "s3", region: "us-east-1", endpoint: moto.endpoint,
                credentials: StaticCredentialsProvider(good), transport: CurlHTTPClient(), retryPolicy: RetryPolicy(maxAttempts: 1)
            )
            _ = try await s3.send(HTTPRequest(method: "PUT", url: "/state-bucket"), operation: "CreateBucket")
            let key = "/state-bucket/env:/dev/a%20b/terraform.tfstate"
            _ = try await s3.send(
                HTTPRequest(
                    method: "PUT", url: key, headers: ["Content-Type": "application/json"], body: Array(#"{"version": 4, "serial": 7}"#.utf8)),
                operation: "PutObject"
            )
            let ranged = try await s3.send(HTTPRequest(method: "GET", url: key, headers: ["Range": "bytes=0-13"]), operation: "GetObject")
            #expect(ranged.status == 206)
            #expect(ranged.bodyText == #"{"version": 4,"#)
            let unsigned = try await s3.send(HTTPRequest(method: "GET", url: key), operation: "GetObject", payload: .unsigned)
            #expect(unsigned.body.count == 27)

            let wrong = AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret + "x")
            var forgedS3 = s3
            forgedS3.credentials = StaticCredentialsProvider(wrong)
            let s3Error = await #expect(throws: AWSError.self) {
                _ = try await forgedS3.send(HTTPRequest(method: "GET", url: key), operation: "GetObject")
            }
            #expect(s3Error?.code == .signatureDoesNotMatch)
            let forged = try DynamoDBIntegrationTests.client(moto, credentials: wrong, retry: RetryPolicy(maxAttempts: 1))
            let error = await #expect(throws: AWSError.self) {
                _ = try await forged.scan(table: "signed")
            }
            #expect(error?.code == .signatureDoesNotMatch)
            #expect(error?.statusCode == 403)
            #expect(error?.description.contains("secret access key") == true)
            // The error must not leak the secret it was signed with.
            #expect(error.map { "\($0)" }?.contains(secret) == false)
        }
    }

    @Test("a user without permission gets an AccessDenied naming the permission")
    func accessDenied() async throws {
        try await withMoto(extraEnvironment: ["INITIAL_NO_AUTH_ACTION_COUNT": "2"]) { moto in
            let bootstrap = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "bootstrap")
            _ = try await Self.iam(
                moto.endpoint, credentials: bootstrap, [(name: "Action", value: "CreateUser"), (name: "UserName", value: "reader")])
            let keyXML = try await Self.iam(
                moto.endpoint, credentials: bootstrap, [(name: "Action", value: "CreateAccessKey"), (name: "UserName", value: "reader")])
            let credentials = AWSCredentials(
                accessKeyID: try #require(Self.element("AccessKeyId", in: keyXML)),
                secretAccessKey: try #require(Self.element("SecretAccessKey", in: keyXML))
            )
            let dynamo = try DynamoDBIntegrationTests.client(moto, credentials: credentials, retry: RetryPolicy(maxAttempts: 1))
            let error = await #expect(throws: AWSError.self) {
                _ = try await dynamo.scan(table: "locks")
            }
            #expect(error?.isAccessDenied == true)
            #expect(error?.permission == "dynamodb:Scan")
            #expect(error?.description.contains("dynamodb:Scan") == true)
            #expect(error?.description.contains("locks") == true)
        }
    }

    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[open.upperBound..<close.lowerBound])
    }
}
