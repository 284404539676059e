import Foundation
import LocktrailCore
import LocktrailCrypto
import Testing

@Suite("Signed checkpoints: Ed25519 through OpenSSL, and the checkpoint encoding")
struct CheckpointSigningTests {
    static let checkpoint = Checkpoint(
        seq: 1234, head: String(repeating: "ab", count: 32), time: Timestamp(parsing: "2026-12-01T10:00:00Z")!,
        previous: String(repeating: "0f", count: 32), keyID: "ed25519:0123456789abcdef0123456789abcdef")

    @Test func signsAndVerifies() throws {
        let key = try Ed25519SigningKey.generate()
        let message = Self.checkpoint.message
        let signature = try key.sign(message)
        #expect(signature.count == 64)
        let verifying = try key.verifyingKey()
        #expect(verifying.verify(signature, of: message))
        var tampered = message
        tampered[20] ^= 1
        #expect(!verifying.verify(signature, of: tampered))
        #expect(!(try Ed25519SigningKey.generate().verifyingKey()).verify(signature, of: message))
        #expect(try verifying.keyID().hasPrefix("ed25519:"))
        #expect(try verifying.keyID().count == "ed25519:".count + 32)
    }

    @Test func pemRoundTrips() throws {
        let key = try Ed25519SigningKey.generate()
        let pem = try key.pem()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let again = try Ed25519SigningKey(pem: pem)
        #expect(try again.verifyingKey().keyID() == key.verifyingKey().keyID())
        let publicPEM = try key.verifyingKey().pem()
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(try Ed25519VerifyingKey(pem: publicPEM).keyID() == key.verifyingKey().keyID())
        #expect(throws: CryptoError.self) { try Ed25519SigningKey(pem: "not a key") }
        #expect(throws: CryptoError.self) { try Ed25519VerifyingKey(pem: pem) }
    }

    /// Plain `openssl` checks our signatures and signs what we check: a checkpoint can be verified
    /// with openssl alone, and a key made by `openssl genpkey` works.
    @Test func interoperatesWithTheOpenSSLCommand() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lt-cp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func openssl(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        let message = Self.checkpoint.message
        try Data(message).write(to: URL(fileURLWithPath: path("cp.txt")))

        // Ours signs, openssl verifies.
        let key = try Ed25519SigningKey.generate()
        try key.verifyingKey().pem().write(toFile: path("ours.pub"), atomically: true, encoding: .utf8)
        try Data(try key.sign(message)).write(to: URL(fileURLWithPath: path("ours.sig")))
        #expect(
            try openssl([
                "pkeyutl", "-verify", "-pubin", "-inkey", path("ours.pub"), "-rawin", "-in", path("cp.txt"),
                "-sigfile", path("ours.sig"),
            ]) == 0)
        try Data(try key.sign(Array("something else".utf8))).write(to: URL(fileURLWithPath: path("wrong.sig")))
        #expect(
            try openssl([
                "pkeyutl", "-verify", "-pubin", "-inkey", path("ours.pub"), "-rawin", "-in", path("cp.txt"),
                "-sigfile", path("wrong.sig"),
            ]) != 0)

        // openssl makes the key and signs, ours verifies.
        #expect(try openssl(["genpkey", "-algorithm", "ed25519", "-out", path("theirs.key")]) == 0)
        #expect(try openssl(["pkeyutl", "-sign", "-inkey", path("theirs.key"), "-rawin", "-in", path("cp.txt"), "-out", path("theirs.sig")]) == 0)
        let theirs = try Ed25519SigningKey(pem: String(contentsOfFile: path("theirs.key"), encoding: .utf8))
        let signature = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("theirs.sig"))))
        #expect(try theirs.verifyingKey().verify(signature, of: message))
    }

    @Test func messageRoundTrips() throws {
        let c = Self.checkpoint
        let text = String(decoding: c.message, as: UTF8.self)
        #expect(
            text == """
                locktrail-checkpoint 1
                seq 1234
                head \(String(repeating: "ab", count: 32))
                time 2026-12-01T10:00:00.000000Z
                previous \(String(repeating: "0f", count: 32))
                key ed25519:0123456789abcdef0123456789abcdef

                """)
        #expect(Checkpoint(message: c.message) == c)
        var first = c
        first.previous = nil
        #expect(Checkpoint(message: first.message) == first)
        #expect(String(decoding: first.message, as: UTF8.self).contains("previous none\n"))
        #expect(c.digest.count == 64)
    }

    @Test(
        "anything but the exact form is refused",
        arguments: [
            "locktrail-checkpoint 2\nseq 1\nhead \(String(repeating: "a", count: 64))\ntime 2026-12-01T10:00:00.000000Z\nprevious none\nkey k\n",
            "locktrail-checkpoint 1\nseq 01\nhead \(String(repeating: "a", count: 64))\ntime 2026-12-01T10:00:00.000000Z\nprevious none\nkey k\n",
            "locktrail-checkpoint 1\nseq 1\nhead \(String(repeating: "A", count: 64))\ntime 2026-12-01T10:00:00.000000Z\nprevious none\nkey k\n",
            "locktrail-checkpoint 1\nseq 1\nhead \(String(repeating: "a", count: 64))\ntime 2026-12-01T10:00:00Z\nprevious none\nkey k\n",
            "locktrail-checkpoint 1\nseq 1\nhead \(String(repeating: "a", count: 64))\ntime 2026-12-01T10:00:00.000000Z\nprevious none\nkey k",
            "locktrail-checkpoint 1\nseq 1\nhead \(String(repeating: "a", count: 64))\ntime 2026-12-01T10:00:00.000000Z\nprevious none\nkey k\nextra 1\n",
        ])
    func strictParsing(_ text: String) {
        #expect(Checkpoint(message: Array(text.utf8)) == nil)
    }
}
