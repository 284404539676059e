import ArgumentParser
import Foundation
import LocktrailCore
import LocktrailCrypto
import LocktrailStore

/// `locktrail checkpoint`: signed checkpoints of the chain head, kept outside the database.
struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign the event log's chain head with an Ed25519 key, outside the database.",
        discussion: """
            A checkpoint vouches that the log up to its seq is the one that was signed: a database
            superuser who rewrites events and recomputes every hash is caught by
            `locktrail verify --checkpoints DIR --public-key FILE`. Keep the private key and the
            checkpoints where the database's administrators cannot write.
            """,
        subcommands: [Keygen.self, Create.self])

    /// `checkpoint keygen --out DIR`.
    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen", abstract: "Write a new key pair: DIR/checkpoint.key (PEM PKCS#8, mode 0600) and DIR/checkpoint.pub.")

        @Option(name: .long, help: ArgumentHelp("Where to write the key pair (created if missing).", valueName: "dir"))
        var out: String

        func run() async throws {
            let directory = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let keyFile = directory.appendingPathComponent("checkpoint.key"), publicFile = directory.appendingPathComponent("checkpoint.pub")
            guard !FileManager.default.fileExists(atPath: keyFile.path) else {
                throw ValidationError("\(keyFile.path) exists: refusing to overwrite a key (checkpoints signed by it could no longer be told apart)")
            }
            let key = try Ed25519SigningKey.generate()
            let pem = try key.pem()
            // Created 0600 before anything is written into it.
            guard FileManager.default.createFile(atPath: keyFile.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("cannot create \(keyFile.path)")
            }
            try Data(pem.utf8).write(to: keyFile)
            try key.verifyingKey().pem().write(to: publicFile, atomically: true, encoding: .utf8)
            print("wrote \(keyFile.path) and \(publicFile.path) (key \(try key.verifyingKey().keyID()))")
        }
    }

    /// `checkpoint create --key FILE --out DIR`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Sign the current chain head into DIR, chained to the newest checkpoint there.")

        @OptionGroup var db: DatabaseOptions

        @Option(name: .long, help: ArgumentHelp("The private key (PEM PKCS#8, from `checkpoint keygen`).", valueName: "file"))
        var key: String

        @Option(name: .long, help: ArgumentHelp("The checkpoint directory.", valueName: "dir"))
        var out: String

        func run() async throws {
            let signing = try Ed25519SigningKey(pem: String(contentsOfFile: key, encoding: .utf8))
            let keyID = try signing.verifyingKey().keyID()
            let directory = CheckpointDirectory(path: out)
            try directory.create()
            let previous = try directory.files().last.flatMap { Checkpoint(message: $0.message) }
            let pool = try await db.openCurrentPool(maxConnections: 1)
            let head = try await pool.withConnection { try EventLog.head(on: $0) }
            let checkpoint = Checkpoint(seq: head.seq, head: Hex.encode(head.hash),
                                        time: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970),
                                        previous: previous?.digest, keyID: keyID)
            let written = try directory.write(checkpoint, signature: try signing.sign(checkpoint.message))
            print("checkpoint of event \(checkpoint.seq) (head \(checkpoint.head)) signed by \(keyID): \(written)")
        }
    }
}

/// A directory of checkpoints: `checkpoint-<seq, 20 digits>-<time>.txt` holds the signed text and
/// `….sig` its raw 64-byte Ed25519 signature, so `openssl pkeyutl -verify -rawin` checks one alone.
struct CheckpointDirectory {
    let path: String

    func create() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }

    /// The checkpoints found, oldest first (by name: seq, then time).
    func files() throws -> [CheckpointFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".txt") }.sorted()
        return try names.map { name in
            let text = path + "/" + name
            let signature = String(text.dropLast(4)) + ".sig"
            return CheckpointFile(
                name: name, message: [UInt8](try Data(contentsOf: URL(fileURLWithPath: text))),
                signature: FileManager.default.fileExists(atPath: signature) ? [UInt8](try Data(contentsOf: URL(fileURLWithPath: signature))) : nil)
        }
    }

    /// Writes a checkpoint and its signature; returns the text file's path.
    func write(_ checkpoint: Checkpoint, signature: [UInt8]) throws -> String {
        let seq = String(checkpoint.seq), padded = String(repeating: "0", count: max(0, 20 - seq.count)) + seq
        let stamp = checkpoint.time.rfc3339.filter { $0.isNumber }
        let base = path + "/checkpoint-\(padded)-\(stamp)"
        try Data(signature).write(to: URL(fileURLWithPath: base + ".sig"), options: .withoutOverwriting)
        try Data(checkpoint.message).write(to: URL(fileURLWithPath: base + ".txt"), options: .withoutOverwriting)
        return base + ".txt"
    }
}
