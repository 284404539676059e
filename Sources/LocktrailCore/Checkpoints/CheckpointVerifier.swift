public import LocktrailCrypto

/// One checkpoint as found where checkpoints are kept: its signed text and its signature.
public struct CheckpointFile: Sendable {
    /// Where it was found (a file name or an S3 key), for messages.
    public var name: String
    /// The signed text (`Checkpoint.message`).
    public var message: [UInt8]
    /// The 64-byte signature, if its file was there.
    public var signature: [UInt8]?

    /// A checkpoint file.
    public init(name: String, message: [UInt8], signature: [UInt8]?) {
        self.name = name
        self.message = message
        self.signature = signature
    }
}

/// What checking the checkpoints against the log found.
public struct CheckpointReport: Sendable {
    /// One problem, with the checkpoint it concerns.
    public struct Problem: Sendable, Hashable {
        /// The checkpoint's file.
        public var file: String
        /// The checkpoint's seq, when it could be read.
        public var seq: Int64?
        /// What is wrong, in a sentence.
        public var explanation: String
    }

    /// Checkpoints whose signature, chain and log position all hold, in seq order.
    public var verified: [Checkpoint] = []
    /// Everything that does not hold.
    public var problems: [Problem] = []

    /// Whether every checkpoint holds (and there was at least one).
    public var isIntact: Bool { problems.isEmpty && !verified.isEmpty }
    /// The newest checkpoint that holds: the log up to it is the one that was signed.
    public var lastVerified: Checkpoint? { verified.last }
}

/// Checks signed checkpoints against the log, as CloudTrail's digest validation checks its
/// digests: each checkpoint's signature by the key it names, the chain of checkpoints (each
/// names its predecessor's digest), and that the log still has the signed hash at each
/// checkpoint's seq — so a rewrite that recomputed every hash in the database is caught.
public enum CheckpointVerifier {
    /// Checks `files` with `keys` (by key id); `storedHash(seq)` is the log's hash of event
    /// `seq` now (nil when the event is gone).
    public static func verify(
        _ files: [CheckpointFile], keys: [String: Ed25519VerifyingKey],
        storedHash: (Int64) throws -> [UInt8]?
    ) rethrows -> CheckpointReport {
        var report = CheckpointReport()
        var readable: [(file: CheckpointFile, checkpoint: Checkpoint)] = []
        for file in files {
            guard let checkpoint = Checkpoint(message: file.message) else {
                report.problems.append(
                    .init(file: file.name, seq: nil, explanation: "not a locktrail checkpoint (or not encoding \(Checkpoint.encodingVersion))"))
                continue
            }
            guard let key = keys[checkpoint.keyID] else {
                report.problems.append(
                    .init(
                        file: file.name, seq: checkpoint.seq,
                        explanation: "signed by key \(checkpoint.keyID), which is not among the public keys given"))
                continue
            }
            guard let signature = file.signature else {
                report.problems.append(.init(file: file.name, seq: checkpoint.seq, explanation: "its signature file is missing"))
                continue
            }
            guard key.verify(signature, of: file.message) else {
                report.problems.append(
                    .init(
                        file: file.name, seq: checkpoint.seq,
                        explanation: "the signature does not verify: the checkpoint or its signature was changed"))
                continue
            }
            readable.append((file, checkpoint))
        }
        readable.sort { ($0.checkpoint.seq, $0.checkpoint.time) < ($1.checkpoint.seq, $1.checkpoint.time) }
        var previous: Checkpoint?
        for (file, checkpoint) in readable {
            if checkpoint.previous != previous?.digest {
                report.problems.append(
                    .init(
                        file: file.name, seq: checkpoint.seq,
                        explanation: previous == nil
                            ? "it names a previous checkpoint that is not there: checkpoints were removed"
                            : "its previous checkpoint is not the one before it: checkpoints were removed, replaced or reordered"))
            }
            previous = checkpoint
            guard let stored = try storedHash(checkpoint.seq) else {
                report.problems.append(
                    .init(
                        file: file.name, seq: checkpoint.seq,
                        explanation: "event \(checkpoint.seq) is no longer in the log: it was truncated below a signed head"))
                continue
            }
            guard Hex.encode(stored) == checkpoint.head else {
                report.problems.append(
                    .init(
                        file: file.name, seq: checkpoint.seq,
                        explanation: "event \(checkpoint.seq) no longer has the signed hash: the log was rewritten at or before it"))
                continue
            }
            report.verified.append(checkpoint)
        }
        return report
    }
}
