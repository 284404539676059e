import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailStore
import LocktrailTestSupport
import Testing

/// `collect --checkpoint-key … --checkpoint-out … --checkpoint-every …` on two replicas.
@Suite("Periodic checkpoints from collect", .serialized)
struct PeriodicCheckpointTests {
    static func run(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        let process = try Spawned(
            [LocktrailBinary.path] + arguments, environment: environment, directory: URL(fileURLWithPath: NSTemporaryDirectory()))
        let status = await process.wait()
        return (status, process.output)
    }

    static func checkpoints(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
    }

    static func waitFor(_ what: String, timeout: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TerraformFailure(command: "(waiting for \(what))", output: "not within \(timeout) s")
    }

    @Test("two collectors sign one chain of checkpoints, the signer's death included, and verify --checkpoints accepts it")
    func twoSigners() async throws {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        let db = try await TestDatabase.make()
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = db.conninfo
        let scratch = NSTemporaryDirectory() + "lt-ckpt-\(UUID().uuidString.prefix(8))"
        let keys = scratch + "/keys", out = scratch + "/checkpoints"
        #expect(try await Self.run(["checkpoint", "keygen", "--out", keys], environment: environment).status == 0)

        func digest(_ n: Int) async throws {
            try await client.putItem(table: table, item: ["LockID": .string("b/s\(n).tfstate-md5"), "Digest": .string(String(format: "%032x", n))])
        }
        try await digest(0)
        let arguments = [
            LocktrailBinary.path, "collect", "--dynamodb-table", table, "--interval", "0.5s", "--lease-duration", "1.5s",
            "--checkpoint-key", keys + "/checkpoint.key", "--checkpoint-out", out, "--checkpoint-every", "1s",
        ]
        let collectors = try (0..<2).map { _ in try Spawned(arguments, environment: environment, directory: URL(fileURLWithPath: scratch)) }
        defer { for c in collectors { c.signal(SIGKILL) } }

        try await Self.waitFor("two checkpoints") { Self.checkpoints(in: out).count >= 2 }
        // Kill the signer; the other takes the chain over and goes on from its newest checkpoint.
        let signer = try #require(try await db.store.sources.list().first { $0.source == "checkpoints:" + out }?.owner)
        let victim = try #require(collectors.first { Int($0.pid) == signer.pid })
        let survivor = try #require(collectors.first { Int($0.pid) != signer.pid })
        victim.signal(SIGKILL)
        _ = await victim.wait()
        let before = Self.checkpoints(in: out).count
        try await digest(1)
        try await Self.waitFor("checkpoints by the survivor") { Self.checkpoints(in: out).count >= before + 2 }
        survivor.signal(SIGTERM)
        #expect(await survivor.wait() == 0, "\(survivor.output.suffix(2000))")
        #expect(victim.output.contains("checkpoint signed") && survivor.output.contains("checkpoint signed"), "both signed in turn")

        let verify = try await Self.run(
            ["verify", "--checkpoints", out, "--public-key", keys + "/checkpoint.pub", "--format", "json"],
            environment: environment)
        #expect(verify.status == 0, "\(verify.output)")
        let report = try JSONParser.parse(verify.output)
        #expect(report["checkpoints"]?["verified"]?.numberValue == Double(Self.checkpoints(in: out).count), "\(verify.output)")
        #expect(report["checkpoints"]?["problems"]?.arrayValue?.isEmpty == true, "\(verify.output)")
        // One chain: every checkpoint names the one before it (verify checks it; here plainly too).
        let texts = Self.checkpoints(in: out).compactMap {
            Checkpoint(message: [UInt8](FileManager.default.contents(atPath: out + "/" + $0) ?? Data()))
        }
        for (earlier, later) in zip(texts, texts.dropFirst()) { #expect(later.previous == earlier.digest) }
        #expect(texts.first?.previous == nil)
    }
}
