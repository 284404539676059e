import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

/// The real curl client, signer and S3 client against the local AWS emulator (moto_server).
@Suite("S3 against moto", .serialized)
struct S3IntegrationTests {
    static func client(_ moto: MotoServer, region: String = "us-east-1") throws -> S3Client {
        // Resolve the endpoint the way production does: from AWS_ENDPOINT_URL_S3 (which selects path-style).
        let configuration = try AWSConfiguration.resolve(environment: [
            "AWS_REGION": region,
            "AWS_ENDPOINT_URL_S3": moto.endpoint,
            "AWS_CONFIG_FILE": "/nonexistent/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        ])
        return S3Client(
            configuration: configuration,
            credentials: StaticCredentialsProvider(AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "not-checked-by-default")),
            transport: CurlHTTPClient(),
            retryPolicy: RetryPolicy(maxAttempts: 2)
        )
    }

    static func lockRecord(id: String, path: String) -> [UInt8] {
        Array(
            #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"alice@build-01","Version":"1.11.4","Created":"2025-03-04T05:06:07.123456789Z","Path":"\#(path)"}"#
                .utf8
        )
    }

    /// A format-4 state as Terraform writes it: serial and lineage within the first 200 bytes.
    static func state(serial: Int) -> [UInt8] {
        let resources = (0..<20).map { #"    {"mode": "managed", "type": "terraform_data", "name": "r\#($0)", "instances": []}"# }
        return Array(
            """
            {
              "version": 4,
              "terraform_version": "1.11.4",
              "serial": \(serial),
              "lineage": "3f0e3b9c-5d6a-4c47-8a44-6c1f0c6a9e21",
              "outputs": {},
              "resources": [
            \(resources.joined(separator: ",\n"))
              ],
              "check_results": null
            }

            """.utf8
        )
    }

    /// moto orders versions by millisecond timestamp; writes within one millisecond would tie.
    static func tick() async throws { try await Task.sleep(for: .milliseconds(15)) }

    @Test("versioned bucket: lock file lifecycle, state history, paged version listing, ranged and versioned GETs")
    func lockFileHistory() async throws {
        try await withMoto { moto in
            let s3 = try Self.client(moto, region: "eu-west-1")
            let bucket = "tf-state-\(UUID().uuidString.prefix(8).lowercased())"
            try await s3.createBucket(bucket: bucket)
            #expect(try await s3.getBucketVersioning(bucket: bucket) == .neverEnabled)
            try await s3.putBucketVersioning(bucket: bucket, enabled: true)
            #expect(try await s3.getBucketVersioning(bucket: bucket) == .enabled)

            // Acquire exactly as Terraform does, then a blocked acquire, then release.
            let stateKey = "env:/dev/app b/terraform.tfstate"
            let lockKey = stateKey + ".tflock"
            let record = Self.lockRecord(id: "f9763602-b03f-e35c-da30-4083cdbb99ae", path: "\(bucket)/\(stateKey)")
            let lockVersion = try await s3.putObject(bucket: bucket, key: lockKey, body: record, contentType: "application/json", ifNoneMatch: "*")
            var lockVersions = [try #require(lockVersion.versionId)]
            var deleteMarkers: [String] = []
            let blocked = await #expect(throws: AWSError.self) {
                try await s3.putObject(bucket: bucket, key: lockKey, body: Array("other".utf8), contentType: "application/json", ifNoneMatch: "*")
            }
            #expect(blocked?.code == .preconditionFailed)
            #expect(blocked?.statusCode == 412)
            let holder = try await s3.getObject(bucket: bucket, key: lockKey)
            #expect(holder.body == record)
            try await Self.tick()

            // Three state writes while "holding" the lock, then the release.
            var stateVersions: [String] = []
            for serial in 1...3 {
                let written = try await s3.putObject(bucket: bucket, key: stateKey, body: Self.state(serial: serial), contentType: "application/json")
                stateVersions.append(try #require(written.versionId))
                try await Self.tick()
            }
            deleteMarkers.append(try #require(try await s3.deleteObject(bucket: bucket, key: lockKey)))
            try await Self.tick()

            // A second lock/unlock cycle, and an unrelated object outside the prefix.
            let relock = try await s3.putObject(bucket: bucket, key: lockKey, body: record, contentType: "application/json", ifNoneMatch: "*")
            lockVersions.append(try #require(relock.versionId))
            try await Self.tick()
            deleteMarkers.append(try #require(try await s3.deleteObject(bucket: bucket, key: lockKey)))
            _ = try await s3.putObject(bucket: bucket, key: "other/terraform.tfstate", body: Self.state(serial: 1))

            let missing = await #expect(throws: AWSError.self) { try await s3.getObject(bucket: bucket, key: lockKey) }
            #expect(missing?.code == .noSuchKey)
            #expect(missing?.statusCode == 404)
            let missingHead = await #expect(throws: AWSError.self) { try await s3.headObject(bucket: bucket, key: lockKey) }
            #expect(missingHead?.statusCode == 404)

            // ListObjectsV2: current objects only (the lock key is deleted), keys with ':' and ' ' intact.
            var listed: [S3ObjectSummary] = []
            for try await page in s3.listAllObjects(bucket: bucket, maxKeys: 1) { listed += page.objects }
            #expect(listed.map(\.key) == [stateKey, "other/terraform.tfstate"])
            #expect(listed[0].size == Int64(Self.state(serial: 3).count))
            #expect(listed[0].eTag.count == 32)
            #expect(!listed[0].eTag.contains("\""))
            let underPrefix = try await s3.listObjectsV2(bucket: bucket, prefix: "env:/dev/")
            #expect(underPrefix.objects.map(\.key) == [stateKey])

            // ListObjectVersions, two entries per page: every version and marker exactly once.
            var entries: [S3VersionEntry] = []
            var pages = 0
            for try await page in s3.listAllVersions(bucket: bucket, prefix: "env:/dev/", maxKeys: 2) {
                pages += 1
                #expect(page.entries.count <= 2)
                entries += page.entries
            }
            #expect(pages >= 4)
            #expect(entries.count == 7)
            #expect(Set(entries.map(\.versionId)).count == 7)
            let lockEntries = entries.filter { $0.key == lockKey }
            let stateEntries = entries.filter { $0.key == stateKey }
            // Newest first per key and per kind. moto emits a page's Versions before its DeleteMarkers
            // (real S3 interleaves them) and rounds LastModified to seconds, so only ids pin the order.
            #expect(stateEntries.map(\.versionId) == stateVersions.reversed())
            #expect(lockEntries.filter { !$0.isDeleteMarker }.map(\.versionId) == lockVersions.reversed())
            #expect(lockEntries.filter(\.isDeleteMarker).map(\.versionId) == deleteMarkers.reversed())
            #expect(lockEntries.filter(\.isLatest).map(\.versionId) == [deleteMarkers[1]])
            #expect(stateEntries.filter(\.isLatest).map(\.versionId) == [stateVersions[2]])
            #expect(entries.allSatisfy { $0.key == stateKey || $0.key == lockKey })

            // History reconstruction: the first lock version's record, by version id.
            let oldLock = try await s3.getObject(bucket: bucket, key: lockKey, versionId: lockVersions[0])
            #expect(oldLock.body == record)
            #expect(oldLock.versionId == lockVersions[0])
            let gone = await #expect(throws: AWSError.self) {
                try await s3.getObject(bucket: bucket, key: lockKey, versionId: "00000000-0000-0000-0000-000000000000")
            }
            #expect(gone?.code == .noSuchVersion)

            // Ranged GET of the newest state: serial and lineage without the whole body.
            let head = try await s3.getObject(bucket: bucket, key: stateKey, range: 0...199)
            #expect(head.statusCode == 206)
            #expect(head.body.count == 200)
            #expect(head.contentRange == "bytes 0-199/\(Self.state(serial: 3).count)")
            #expect(String(decoding: head.body, as: UTF8.self).contains(#""serial": 3"#))
            #expect(String(decoding: head.body, as: UTF8.self).contains(#""lineage": "3f0e3b9c"#))

            // An old state version by id, and HEAD of it.
            let first = try await s3.getObject(bucket: bucket, key: stateKey, versionId: stateVersions[0])
            #expect(first.body == Self.state(serial: 1))
            #expect(first.lastModified != nil)
            let firstHead = try await s3.headObject(bucket: bucket, key: stateKey, versionId: stateVersions[0])
            #expect(firstHead.contentLength == Int64(Self.state(serial: 1).count))
            #expect(firstHead.eTag == first.eTag)
        }
    }

    @Test("getObjects: 50 GETs, 8 at a time, one missing key fails alone")
    func batchedGets() async throws {
        try await withMoto { moto in
            let s3 = try Self.client(moto)
            let bucket = "batch-\(UUID().uuidString.prefix(8).lowercased())"
            try await s3.createBucket(bucket: bucket)
            for index in 0..<49 {
                try await s3.putObject(bucket: bucket, key: "s\(index)/terraform.tfstate", body: Array("state \(index)".utf8))
            }
            var requests = (0..<49).map { S3GetRequest(bucket: bucket, key: "s\($0)/terraform.tfstate") }
            requests.insert(S3GetRequest(bucket: bucket, key: "absent/terraform.tfstate"), at: 25)
            let results = try await s3.getObjects(requests, maxConcurrent: 8)
            #expect(results.count == 50)
            for (position, result) in results.enumerated() {
                if position == 25 {
                    guard case .failure(let error) = result else {
                        Issue.record("the missing key succeeded")
                        continue
                    }
                    #expect((error as? AWSError)?.code == .noSuchKey)
                } else {
                    let index = position < 25 ? position : position - 1
                    #expect((try? result.get().body) == Array("state \(index)".utf8))
                }
            }
        }
    }

    /// What `locktrail unlock` relies on: a lock file is removed only while it is the one read.
    @Test("a conditional delete removes the object only while its ETag matches", arguments: [false, true])
    func conditionalDelete(versioned: Bool) async throws {
        try await withMoto { moto in
            let s3 = try Self.client(moto)
            let bucket = "tf-state-\(UUID().uuidString.prefix(8).lowercased())"
            try await s3.createBucket(bucket: bucket)
            if versioned { try await s3.putBucketVersioning(bucket: bucket, enabled: true) }
            let key = "app/terraform.tfstate.tflock"
            _ = try await s3.putObject(bucket: bucket, key: key, body: Self.lockRecord(id: "first", path: "\(bucket)/app/terraform.tfstate"))
            let read = try await s3.getObject(bucket: bucket, key: key)
            // Replaced meanwhile (another run took the lock): the delete is refused, nothing removed.
            _ = try await s3.putObject(bucket: bucket, key: key, body: Self.lockRecord(id: "second", path: "\(bucket)/app/terraform.tfstate"))
            let refused = await #expect(throws: AWSError.self) { try await s3.deleteObject(bucket: bucket, key: key, ifMatch: read.eTag) }
            #expect(refused?.code == .preconditionFailed)
            #expect(refused?.statusCode == 412)
            #expect(refused?.description.contains("changed since it was read") == true)
            let current = try await s3.getObject(bucket: bucket, key: key)
            #expect(current.body == Self.lockRecord(id: "second", path: "\(bucket)/app/terraform.tfstate"))
            // The ETag it has now: removed.
            try await s3.deleteObject(bucket: bucket, key: key, ifMatch: current.eTag)
            let gone = await #expect(throws: AWSError.self) { try await s3.getObject(bucket: bucket, key: key) }
            #expect(gone?.code == .noSuchKey)
            // Already gone: refused as missing, never "deleted".
            let missing = await #expect(throws: AWSError.self) { try await s3.deleteObject(bucket: bucket, key: key, ifMatch: current.eTag) }
            #expect(missing?.code == .noSuchKey || missing?.statusCode == 404)
        }
    }

    @Test("an unversioned bucket reports neverEnabled, then suspended after enable/suspend")
    func versioningStates() async throws {
        try await withMoto { moto in
            let s3 = try Self.client(moto)
            let bucket = "plain.bucket.\(UUID().uuidString.prefix(8).lowercased())"
            try await s3.createBucket(bucket: bucket)
            #expect(try await s3.getBucketVersioning(bucket: bucket) == .neverEnabled)
            try await s3.putBucketVersioning(bucket: bucket, enabled: true)
            try await s3.putBucketVersioning(bucket: bucket, enabled: false)
            #expect(try await s3.getBucketVersioning(bucket: bucket) == .suspended)
            let missing = await #expect(throws: AWSError.self) {
                try await s3.getBucketVersioning(bucket: "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())")
            }
            #expect(missing?.code == .noSuchBucket)
        }
    }
}
