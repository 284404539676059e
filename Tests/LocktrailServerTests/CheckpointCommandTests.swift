import Foundation
import LocktrailCore
import LocktrailStore
import LocktrailTestSupport
import Testing

/// `locktrail checkpoint keygen|create` and `verify --checkpoints` against real databases.
@Suite("Signed checkpoints with the CLI")
struct CheckpointCommandTests {
    static func hookEvents(_ tag: String, count: Int) -> [Event] {
        (0..<count).map { i in
            Event(
                key: "cp-test|\(tag)|\(i)", kind: .runHeartbeat, source: "hook", mechanism: .hook,
                time: .exact(Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000 + Int64(i) * 1_000_000)),
                observedAt: Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000 + Int64(i) * 1_000_000),
                details: ["run_id": .string("r-\(tag)"), "n": .int(Int64(i))])
        }
    }

    @Test("an intact log passes; a log rewritten and rehashed wholesale, and a tampered checkpoint, are caught")
    func checkpoints() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lt-cp-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let keys = scratch.appendingPathComponent("keys").path, dir = scratch.appendingPathComponent("checkpoints").path
        let db = try await TestDatabase.make()

        let keygen = try await SoundClaimsTerraformTests.locktrail(["checkpoint", "keygen", "--out", keys], db: db)
        #expect(keygen.status == 0, "\(keygen)")
        let mode = try FileManager.default.attributesOfItem(atPath: keys + "/checkpoint.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(
            try await SoundClaimsTerraformTests.locktrail(["checkpoint", "keygen", "--out", keys], db: db).status == 64, "never overwrites a key")

        _ = try await EventLog.append(Self.hookEvents("a", count: 5), pool: db.pool)
        #expect(
            try await SoundClaimsTerraformTests.locktrail(["checkpoint", "create", "--key", keys + "/checkpoint.key", "--out", dir], db: db).status
                == 0)
        _ = try await EventLog.append(Self.hookEvents("b", count: 3), pool: db.pool)
        #expect(
            try await SoundClaimsTerraformTests.locktrail(["checkpoint", "create", "--key", keys + "/checkpoint.key", "--out", dir], db: db).status
                == 0)
        _ = try await EventLog.append(Self.hookEvents("c", count: 2), pool: db.pool)

        let verify = ["verify", "--checkpoints", dir, "--public-key", keys + "/checkpoint.pub"]
        let intact = try await SoundClaimsTerraformTests.locktrail(verify, db: db)
        #expect(intact.status == 0, "\(intact)")
        #expect(intact.stdout.contains("checkpoints: 2 verified, the last of event 8"), "\(intact)")
        #expect(intact.stdout.contains("events 9…10 (2) are newer than the last checkpoint"), "\(intact)")
        let json = try await SoundClaimsTerraformTests.locktrail(verify + ["--format", "json"], db: db)
        let parsed = try JSONParser.parse(Array(json.stdout.utf8))
        #expect(parsed["intact"] == .bool(true))
        #expect(parsed["checkpoints"]?["unsigned_events"] == .int(2))

        // The superuser's rewrite: a log of the same length whose every hash is consistent
        // (made through locktrail itself), but not the one that was signed.
        let rewritten = try await TestDatabase.make()
        _ = try await EventLog.append(
            Self.hookEvents("a", count: 5) + Self.hookEvents("forged", count: 3) + Self.hookEvents("c", count: 2),
            pool: rewritten.pool)
        #expect(try await SoundClaimsTerraformTests.locktrail(["verify"], db: rewritten).status == 0, "the chain alone looks intact")
        let caught = try await SoundClaimsTerraformTests.locktrail(verify, db: rewritten)
        #expect(caught.status == 1, "\(caught)")
        #expect(caught.stdout.contains("no longer has the signed hash"), "\(caught)")

        // A tampered checkpoint file.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".txt") }.sorted()
        let last = dir + "/" + files.last!
        let text = try String(contentsOfFile: last, encoding: .utf8).replacingOccurrences(of: "seq 8", with: "seq 7")
        try text.write(toFile: last, atomically: true, encoding: .utf8)
        let tampered = try await SoundClaimsTerraformTests.locktrail(verify, db: db)
        #expect(tampered.status == 1, "\(tampered)")
        #expect(tampered.stdout.contains("signature does not verify"), "\(tampered)")

        let usage = try await SoundClaimsTerraformTests.locktrail(["verify", "--checkpoints", dir], db: db)
        #expect(usage.status == 64)
    }

    @Test("checkpoints in S3, written once each")
    func s3() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lt-cp-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let keys = scratch.appendingPathComponent("keys").path
        let bucket = TestAWS.uniqueName("checkpoints")
        try await TestAWS.createBucket(bucket)
        let db = try await TestDatabase.make()
        #expect(try await SoundClaimsTerraformTests.locktrail(["checkpoint", "keygen", "--out", keys], db: db).status == 0)
        _ = try await EventLog.append(Self.hookEvents("s3", count: 4), pool: db.pool)
        let location = "s3://\(bucket)/audit/locktrail"
        let create = try await SoundClaimsTerraformTests.locktrail(
            ["checkpoint", "create", "--key", keys + "/checkpoint.key", "--s3", location], db: db)
        #expect(create.status == 0, "\(create)")
        let verify = try await SoundClaimsTerraformTests.locktrail(
            ["verify", "--checkpoints", location, "--public-key", keys + "/checkpoint.pub"], db: db)
        #expect(verify.status == 0, "\(verify)")
        #expect(verify.stdout.contains("checkpoints: 1 verified, the last of event 4"), "\(verify)")
        #expect(verify.stdout.contains("every event is covered by the last checkpoint"), "\(verify)")
    }
}
