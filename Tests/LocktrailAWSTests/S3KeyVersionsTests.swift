import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

/// One key's versions newest first: the order rule on both listing shapes, and the helper against moto.
@Suite("S3 key versions", .serialized)
struct S3KeyVersionsTests {
    static let second = Date(timeIntervalSince1970: 1_741_064_767)

    static func version(_ id: String, _ offset: Double = 0, latest: Bool = false) -> S3VersionEntry {
        .version(S3ObjectVersion(key: "k.tflock", versionId: id, isLatest: latest, lastModified: second + offset, eTag: "e", size: 1))
    }

    static func marker(_ id: String, _ offset: Double = 0, latest: Bool = false) -> S3VersionEntry {
        .deleteMarker(S3DeleteMarker(key: "k.tflock", versionId: id, isLatest: latest, lastModified: second + offset))
    }

    @Test(
        "newest first from real S3's interleaved listing and from moto's versions-then-markers, within one second too",
        arguments: [
            // Real S3: already newest first, interleaved.
            ([marker("m2", 0, latest: true), version("v2"), marker("m1"), version("v1")], ["m2", "v2", "m1", "v1"]),
            // moto: versions, then markers; all in the same second.
            ([version("v2"), version("v1"), marker("m2", 0, latest: true), marker("m1")], ["m2", "v2", "m1", "v1"]),
            // moto, lock held now: the current version first.
            ([version("v3", 0, latest: true), version("v2"), version("v1"), marker("m2"), marker("m1")], ["v3", "m2", "v2", "m1", "v1"]),
            // Different seconds: time decides.
            ([version("v2", 5, latest: true), version("v1", 1), marker("m1", 3)], ["v2", "m1", "v1"]),
        ])
    func order(listed: [S3VersionEntry], expected: [String]) {
        #expect(S3KeyVersions.newestFirst(listed).map(\.versionId) == expected)
    }

    @Test("exactly one key's versions, newest first, down to a known version; longer keys under the prefix are dropped")
    func againstMoto() async throws {
        try await withMoto { moto in
            let s3 = try S3IntegrationTests.client(moto)
            let bucket = "versions-\(UUID().uuidString.prefix(8).lowercased())"
            try await s3.createBucket(bucket: bucket)
            try await s3.putBucketVersioning(bucket: bucket, enabled: true)
            let state = "env:/dev/a b/terraform.tfstate"
            let lock = state + ".tflock"
            var lockIDs: [String] = []
            var stateIDs: [String] = []
            for round in 0..<3 {
                stateIDs.append(try #require(try await s3.putObject(bucket: bucket, key: state, body: Array("s\(round)".utf8)).versionId))
                lockIDs.append(
                    try #require(try await s3.putObject(bucket: bucket, key: lock, body: Array("l\(round)".utf8), ifNoneMatch: "*").versionId))
                try await s3.putObject(bucket: bucket, key: state + "2", body: Array("other".utf8))
                if round < 2 { lockIDs.append(try #require(try await s3.deleteObject(bucket: bucket, key: lock))) }
                try await Task.sleep(for: .milliseconds(15))
            }

            let all = try await s3.keyVersions(bucket: bucket, key: lock)
            #expect(all.entries.map(\.versionId) == lockIDs.reversed())
            #expect(all.entries.map(\.isDeleteMarker) == [false, true, false, true, false])
            #expect(!all.reachedKnown)
            let since = try await s3.keyVersions(bucket: bucket, key: lock, since: lockIDs[2])
            #expect(since.entries.map(\.versionId) == [lockIDs[4], lockIDs[3]])
            #expect(since.reachedKnown)

            // A state key sorts before its lock file and its longer neighbours: they never appear.
            let states = try await s3.keyVersions(bucket: bucket, key: state, maxKeys: 2)
            #expect(states.entries.map(\.versionId) == stateIDs.reversed())
            #expect(states.entries.allSatisfy { $0.key == state })
            #expect(states.pages == 2)  // the second page already reaches the lock file: no third
            let unknown = try await s3.keyVersions(bucket: bucket, key: state, since: "pruned-version")
            #expect(unknown.entries.count == 3 && !unknown.reachedKnown)
        }
    }
}
