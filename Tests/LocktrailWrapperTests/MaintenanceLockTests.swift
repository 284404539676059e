import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// `locktrail lock` against real terraform, the AWS emulator and PostgreSQL.
@Suite("locktrail lock", .serialized)
struct MaintenanceLockTests {
    @Test("refuses a real terraform apply with the reason, shows as maintenance, and is released (not forced)", arguments: [false, true])
    func freezeAndRelease(useLockfile: Bool) async throws {
        let fixture = try await LockTestFixture.make(useLockfile: useLockfile)
        let (table, bucket, client, project, state) = (fixture.table, fixture.bucket, fixture.client, fixture.project, fixture.state)
        // A first apply, so locktrail has seen how this state is locked (digest and lock items).
        #expect(try await project.run(["apply", "-auto-approve", "-no-color"]).status == 0)
        var collect = ["collect", "--once", "--dynamodb-table", table]
        if useLockfile { collect += ["--s3-bucket", bucket] }
        #expect(try await fixture.locktrail(collect).0 == 0)

        let reason = "change freeze: incident 42 <db failover> & cleanup"
        // The DynamoDB table is known from the log (the state's digest and lock items); a lock
        // file that lived shorter than a listing poll was never seen, so it is named.
        let placement = useLockfile ? ["--lockfile"] : []
        let dry = try await fixture.locktrail(["lock", "--state", state, "--reason", reason, "--dry-run"] + placement)
        #expect(dry.0 == 0, "\(dry.1)")
        #expect(dry.1.contains("DynamoDB table \(table)"), "\(dry.1)")
        #expect(dry.1.contains("lock file") == useLockfile, "\(dry.1)")
        #expect(try await client.getItem(table: table, key: ["LockID": .string(state)]) == nil)

        let locked = try await fixture.locktrail(["lock", "--state", state, "--reason", reason, "--ttl", "1h"] + placement)
        #expect(locked.0 == 0, "\(locked.1)")
        let info = try #require(try await client.getItem(table: table, key: ["LockID": .string(state)])?["Info"]?.stringValue)
        let record = try #require(LockRecordParse.parse(Array(info.utf8)).record)
        #expect(record.operation == "locktrail-maintenance")
        #expect(record.path == state)
        #expect(record.who?.contains("@") == true)
        #expect(LockRecordParse.isTerraformLockID(record.id))
        #expect(info.hasPrefix("{\"ID\":\"\(record.id)\",\"Operation\":\"locktrail-maintenance\",\"Info\":\"change freeze"))
        #expect(info.contains("\\u003cdb failover\\u003e \\u0026 cleanup"), "Go's HTML-safe escaping, as terraform writes: \(info)")
        if useLockfile {
            let body = try await TestAWS.s3().getObject(bucket: bucket, key: project.key + ".tflock").body
            #expect(String(decoding: body, as: UTF8.self) == info, "one hold, two mechanisms: the same bytes")
        }

        // terraform itself refuses, and prints the reason.
        let apply = try await project.run(["apply", "-auto-approve", "-no-color", "-lock-timeout=0s"])
        #expect(apply.status != 0)
        #expect(apply.output.contains("Error acquiring the state lock"), "\(apply.output)")
        #expect(apply.output.contains(reason), "\(apply.output)")
        #expect(apply.output.contains("locktrail-maintenance"), "\(apply.output)")

        // Held now: a second lock is refused; current marks it as maintenance.
        let again = try await fixture.locktrail(["lock", "--state", state, "--reason", "another"])
        #expect(again.0 == 5, "\(again.1)")
        #expect(try await fixture.locktrail(collect).0 == 0)
        let current = try await fixture.locktrail(["current", "--state", state, "--format", "json"])
        let held = try #require((try? JSONParser.parse(current.1))?.arrayValue?.first, "\(current.1)")
        #expect(held["lock_id"] == .string(record.id))
        #expect(held["maintenance"]?["reason"] == .string(reason))
        #expect(try await fixture.locktrail(["current", "--state", state, "--fail-if-held"]).0 == 5)

        let released = try await fixture.locktrail(["lock", "--release", "--state", state])
        #expect(released.0 == 0, "\(released.1)")
        #expect(try await client.getItem(table: table, key: ["LockID": .string(state)]) == nil)
        #expect(try await fixture.locktrail(["lock", "--release", "--state", state]).0 == 3)
        #expect(try await project.run(["plan", "-no-color", "-lock-timeout=0s"]).status == 0)

        #expect(try await fixture.locktrail(collect).0 == 0)
        let history = try await fixture.locktrail(["history", "--state", state, "--format", "json"])
        let hold = try #require((try? JSONParser.parse(history.1))?.arrayValue?.first { $0["lock_id"] == .string(record.id) }, "\(history.1)")
        #expect(hold["release_kind"] == "released")
        #expect(try await fixture.events(kind: "lock.maintenance_locked").map(\.lockID) == [record.id])
        #expect(try await fixture.events(kind: "lock.maintenance_refused").map(\.lockID) == [record.id])
        let end = try await fixture.events(kind: "lock.maintenance_released")
        #expect(end.count == 1)
        #expect(end.first?.details["removed"] == (useLockfile ? ["s3-lockfile", "dynamodb"] : ["dynamodb"]))
    }

    @Test("the collector watching the table or bucket removes a maintenance lock when its TTL runs out", arguments: [false, true])
    func expiry(useLockfile: Bool) async throws {
        // One mechanism each: the DynamoDB table, or the lock file alone.
        let fixture = try await LockTestFixture.make(useLockfile: useLockfile, lockWithTable: !useLockfile)
        let (table, bucket, client, project, state) = (fixture.table, fixture.bucket, fixture.client, fixture.project, fixture.state)
        let collect = ["collect", "--once"] + (useLockfile ? ["--s3-bucket", bucket] : ["--dynamodb-table", table])
        let s3 = try TestAWS.s3()
        func present() async throws -> Bool {
            if useLockfile { return (try? await s3.getObject(bucket: bucket, key: project.key + ".tflock")) != nil }
            return try await client.getItem(table: table, key: ["LockID": .string(state)]) != nil
        }

        // Never seen by locktrail: the mechanism is named.
        let locked = try await fixture.locktrail(
            ["lock", "--state", state, "--reason", "freeze", "--ttl", "2s"]
                + (useLockfile ? ["--lockfile"] : ["--dynamodb-table", table]))
        #expect(locked.0 == 0, "\(locked.1)")
        #expect(try await fixture.locktrail(collect).0 == 0)  // not yet expired: stays
        #expect(try await present())
        let refused = try await project.run(["plan", "-no-color", "-lock-timeout=0s"])
        #expect(refused.status != 0 && refused.output.contains("freeze"), "\(refused.output)")
        try await Task.sleep(for: .seconds(2.5))
        #expect(try await fixture.locktrail(collect).0 == 0)
        #expect(try await present() == false)
        #expect(try await project.run(["plan", "-no-color", "-lock-timeout=0s"]).status == 0)
        let expired = try await fixture.events(kind: "lock.maintenance_expired")
        #expect(expired.count == 1)
        #expect(expired.first?.details["actor"] == .string(useLockfile ? "s3:\(bucket)" : "dynamodb:us-east-1/\(table)"))
        #expect(expired.first?.details["removed"] == (useLockfile ? ["s3-lockfile"] : ["dynamodb"]))
        let history = try await fixture.locktrail(["history", "--state", state, "--format", "json"])
        #expect((try? JSONParser.parse(history.1))?.arrayValue?.first?["release_kind"] == "released", "\(history.1)")
    }
}
