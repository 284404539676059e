import Foundation
import LocktrailCore
import LocktrailCrypto
import Testing

@Suite("Checking signed checkpoints against the log")
struct CheckpointVerifierTests {
    /// A log of hashes by seq, and checkpoints of it at seqs 10, 20, 30 (the second key from 20 on: a rotation).
    struct World {
        var hashes: [Int64: [UInt8]] = Dictionary(uniqueKeysWithValues: (1...40).map { (Int64($0), Digest.sha256("event \($0)")) })
        let old: Ed25519SigningKey
        let new: Ed25519SigningKey
        var files: [CheckpointFile] = []
        var keys: [String: Ed25519VerifyingKey] = [:]

        init() throws {
            old = try Ed25519SigningKey.generate()
            new = try Ed25519SigningKey.generate()
            for key in [old, new] { keys[try key.verifyingKey().keyID()] = try key.verifyingKey() }
            var previous: Checkpoint?
            for (i, seq) in [Int64(10), 20, 30].enumerated() {
                let key = i == 0 ? old : new
                let checkpoint = Checkpoint(
                    seq: seq, head: Hex.encode(hashes[seq]!), time: Timestamp(microsecondsSinceEpoch: Int64(i) * 1_000_000),
                    previous: previous?.digest, keyID: try key.verifyingKey().keyID())
                files.append(CheckpointFile(name: "cp-\(seq)", message: checkpoint.message, signature: try key.sign(checkpoint.message)))
                previous = checkpoint
            }
        }

        func check() -> CheckpointReport { CheckpointVerifier.verify(files, keys: keys) { hashes[$0] } }
    }

    @Test func intactChainWithARotatedKey() throws {
        let report = try World().check()
        #expect(report.isIntact, "\(report.problems)")
        #expect(report.verified.map(\.seq) == [10, 20, 30])
        #expect(report.lastVerified?.seq == 30)
    }

    @Test("a superuser who rewrites an event and recomputes every hash is caught")
    func rewrittenLog() throws {
        var world = try World()
        for seq in Int64(15)...40 { world.hashes[seq] = Digest.sha256("rewritten \(seq)") }
        let report = world.check()
        #expect(!report.isIntact)
        #expect(report.verified.map(\.seq) == [10])
        #expect(report.problems.map(\.seq) == [20, 30])
        #expect(report.problems.allSatisfy { $0.explanation.contains("rewritten") })
    }

    @Test func truncatedLog() throws {
        var world = try World()
        for seq in Int64(25)...40 { world.hashes[seq] = nil }
        let report = world.check()
        #expect(report.problems.map(\.seq) == [30])
        #expect(report.problems.first?.explanation.contains("truncated") == true)
    }

    @Test func tamperedCheckpoint() throws {
        var world = try World()
        var text = String(decoding: world.files[1].message, as: UTF8.self)
        text = text.replacingOccurrences(of: "seq 20", with: "seq 21")
        world.files[1].message = Array(text.utf8)
        let report = world.check()
        #expect(report.problems.contains { $0.file == "cp-20" && $0.explanation.contains("signature does not verify") })
        // Its successor now names a predecessor that is not there.
        #expect(report.problems.contains { $0.file == "cp-30" && $0.explanation.contains("previous checkpoint") })
    }

    @Test func removedCheckpoint() throws {
        var world = try World()
        world.files.remove(at: 1)
        let report = world.check()
        #expect(report.problems.map(\.file) == ["cp-30"])
    }

    @Test func unknownKeyAndMissingSignature() throws {
        var world = try World()
        world.keys = [try world.old.verifyingKey().keyID(): try world.old.verifyingKey()]
        world.files[0].signature = nil
        let report = world.check()
        #expect(report.problems.contains { $0.file == "cp-10" && $0.explanation.contains("signature file is missing") })
        #expect(report.problems.filter { $0.explanation.contains("not among the public keys") }.map(\.file) == ["cp-20", "cp-30"])
        #expect(!report.isIntact)
    }
}
