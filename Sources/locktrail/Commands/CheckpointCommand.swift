import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailCrypto
import LocktrailHTTP
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
        var out: String?

        @Option(name: .long, help: ArgumentHelp("Or an S3 location (written once each, with If-None-Match: *).", valueName: "s3://bucket/prefix"))
        var s3: String?

        func validate() throws {
            guard (out == nil) != (s3 == nil) else { throw ValidationError("give exactly one of --out DIR and --s3 s3://BUCKET/PREFIX") }
            if let s3, S3CheckpointLocation(s3) == nil { throw ValidationError("--s3 takes s3://BUCKET/PREFIX") }
        }

        func run() async throws {
            let signing = try Ed25519SigningKey(pem: String(contentsOfFile: key, encoding: .utf8))
            let keyID = try signing.verifyingKey().keyID()
            let directory: any CheckpointPlace =
                try out.map { path in
                    let d = CheckpointDirectory(path: path)
                    try d.create()
                    return d
                } ?? S3CheckpointLocation(s3!)!
            let previous = try await directory.latest().flatMap { Checkpoint(message: $0.message) }
            let store = try await db.openCurrentStore(maxConnections: 1)
            let (checkpoint, written) = try await CheckpointSigning.sign(
                head: try await store.events.head(), previous: previous, key: signing, keyID: keyID, into: directory)
            print("checkpoint of event \(checkpoint.seq) (head \(checkpoint.head)) signed by \(keyID): \(written)")
        }
    }
}

/// Where checkpoints are kept: `checkpoint-<seq, 20 digits>-<time>.txt` holds the signed text and
/// `….sig` its raw 64-byte Ed25519 signature, so `openssl pkeyutl -verify -rawin` checks one alone.
protocol CheckpointPlace: Sendable {
    /// The checkpoints found, oldest first (by name: seq, then time).
    func files() async throws -> [CheckpointFile]
    /// The newest checkpoint (by name: seq, then time), reading only it; nil when there is none.
    func latest() async throws -> CheckpointFile?
    /// Writes a checkpoint and its signature, never over an existing one; returns where.
    func write(_ checkpoint: Checkpoint, signature: [UInt8]) async throws -> String
}

/// Signing the chain head, for `checkpoint create` and `collect --checkpoint-key` alike.
enum CheckpointSigning {
    /// Signs `head` (as `store.events.head()` gives it), chained to `previous`, into `place`.
    static func sign(
        head: (seq: Int64, hash: [UInt8]), previous: Checkpoint?, key: Ed25519SigningKey, keyID: String,
        into place: any CheckpointPlace, time: Timestamp = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
    ) async throws
        -> (checkpoint: Checkpoint, written: String)
    {
        let checkpoint = Checkpoint(seq: head.seq, head: Hex.encode(head.hash), time: time, previous: previous?.digest, keyID: keyID)
        return (checkpoint, try await place.write(checkpoint, signature: try key.sign(checkpoint.message)))
    }
}

extension CheckpointPlace {
    /// The file name of a checkpoint, without `.txt`/`.sig`.
    static func baseName(_ checkpoint: Checkpoint) -> String {
        let seq = String(checkpoint.seq), padded = String(repeating: "0", count: max(0, 20 - seq.count)) + seq
        return "checkpoint-\(padded)-\(checkpoint.time.rfc3339.filter { $0.isNumber })"
    }
}

/// The checkpoints, given as a directory or `s3://BUCKET/PREFIX`.
func checkpointPlace(_ location: String) -> any CheckpointPlace {
    S3CheckpointLocation(location) ?? CheckpointDirectory(path: location)
}

/// Checkpoints under an S3 prefix (e.g. a bucket with Object Lock that the database's
/// administrators cannot write to).
struct S3CheckpointLocation: CheckpointPlace {
    let bucket: String
    let prefix: String

    init?(_ url: String) {
        guard url.hasPrefix("s3://") else { return nil }
        let rest = url.dropFirst(5)
        let parts = rest.split(separator: "/", maxSplits: 1)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        self.bucket = String(bucket)
        let prefix = parts.count > 1 ? String(parts[1]) : ""
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
    }

    private func client() throws -> S3Client {
        let aws = try AWSConfiguration.resolve()
        let transport = CurlHTTPClient()
        return S3Client(configuration: aws, credentials: DefaultCredentialsProvider(configuration: aws, transport: transport), transport: transport)
    }

    func files() async throws -> [CheckpointFile] {
        let s3 = try client()
        var keys: [String] = []
        for try await page in s3.listAllObjects(bucket: bucket, prefix: prefix) {
            keys += page.objects.map(\.key).filter { $0.dropFirst(prefix.count).hasPrefix("checkpoint-") }
        }
        let set = Set(keys)
        var out: [CheckpointFile] = []
        for key in keys.filter({ $0.hasSuffix(".txt") }).sorted() {
            let signatureKey = String(key.dropLast(4)) + ".sig"
            out.append(
                CheckpointFile(
                    name: "s3://\(bucket)/\(key)", message: try await s3.getObject(bucket: bucket, key: key).body,
                    signature: set.contains(signatureKey) ? try await s3.getObject(bucket: bucket, key: signatureKey).body : nil))
        }
        return out
    }

    func latest() async throws -> CheckpointFile? {
        let s3 = try client()
        var newest: String?
        for try await page in s3.listAllObjects(bucket: bucket, prefix: prefix) {
            for key in page.objects.map(\.key) where key.dropFirst(prefix.count).hasPrefix("checkpoint-") && key.hasSuffix(".txt") {
                if newest.map({ key > $0 }) ?? true { newest = key }
            }
        }
        guard let newest else { return nil }
        let signature = try? await s3.getObject(bucket: bucket, key: String(newest.dropLast(4)) + ".sig").body
        return CheckpointFile(
            name: "s3://\(bucket)/\(newest)", message: try await s3.getObject(bucket: bucket, key: newest).body, signature: signature)
    }

    func write(_ checkpoint: Checkpoint, signature: [UInt8]) async throws -> String {
        let s3 = try client()
        let base = prefix + Self.baseName(checkpoint)
        try await s3.putObject(bucket: bucket, key: base + ".sig", body: signature, contentType: "application/octet-stream", ifNoneMatch: "*")
        try await s3.putObject(bucket: bucket, key: base + ".txt", body: checkpoint.message, contentType: "text/plain", ifNoneMatch: "*")
        return "s3://\(bucket)/\(base).txt"
    }
}

/// Checkpoints in a local directory.
struct CheckpointDirectory: CheckpointPlace {
    let path: String

    func create() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }

    func files() throws -> [CheckpointFile] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
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

    func latest() throws -> CheckpointFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard
            let name = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter({ $0.hasPrefix("checkpoint-") && $0.hasSuffix(".txt") }).max()
        else { return nil }
        let text = path + "/" + name, signature = String(text.dropLast(4)) + ".sig"
        return CheckpointFile(
            name: name, message: [UInt8](try Data(contentsOf: URL(fileURLWithPath: text))),
            signature: (try? Data(contentsOf: URL(fileURLWithPath: signature))).map { [UInt8]($0) })
    }

    func write(_ checkpoint: Checkpoint, signature: [UInt8]) throws -> String {
        let base = path + "/" + Self.baseName(checkpoint)
        try Data(signature).write(to: URL(fileURLWithPath: base + ".sig"), options: .withoutOverwriting)
        try Data(checkpoint.message).write(to: URL(fileURLWithPath: base + ".txt"), options: .withoutOverwriting)
        return base + ".txt"
    }
}
