import LocktrailCrypto

/// A signed statement that the event log's chain reached `head` at `seq`, chained to the
/// checkpoint before it, as CloudTrail chains its digest files. Its signed bytes (`message`) are
/// a small text any tool can read and `openssl pkeyutl -verify -rawin` can check:
///
/// ```
/// locktrail-checkpoint 1
/// seq 1234
/// head 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
/// time 2026-12-01T10:00:00.000000Z
/// previous 3b2c…(SHA-256 of the previous checkpoint's message, hex) | none
/// key ed25519:0123456789abcdef0123456789abcdef
/// ```
///
/// Each line ends with `\n`, fields in this order, lowercase hex, UTC RFC 3339 with six digits.
public struct Checkpoint: Hashable, Sendable {
    /// The version of this encoding, the number on the first line.
    public static let encodingVersion = 1

    /// The position of the chain head it vouches for.
    public var seq: Int64
    /// The chain hash of the event at `seq`, hex.
    public var head: String
    /// When it was made.
    public var time: Timestamp
    /// SHA-256 of the previous checkpoint's `message`, hex; nil for the first.
    public var previous: String?
    /// The signing key's id (`Ed25519VerifyingKey.keyID()`).
    public var keyID: String

    /// A checkpoint of `head` at `seq`.
    public init(seq: Int64, head: String, time: Timestamp, previous: String?, keyID: String) {
        self.seq = seq
        self.head = head
        self.time = time
        self.previous = previous
        self.keyID = keyID
    }

    /// The bytes that are signed.
    public var message: [UInt8] {
        Array(
            """
            locktrail-checkpoint \(Self.encodingVersion)
            seq \(seq)
            head \(head)
            time \(time.rfc3339)
            previous \(previous ?? "none")
            key \(keyID)

            """.utf8)
    }

    /// SHA-256 of `message`, hex: what the next checkpoint names as `previous`.
    public var digest: String { Hex.encode(Digest.sha256(message)) }

    /// Reads a checkpoint's message back, strictly: the exact form `message` writes, nothing else.
    public init?(message bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self), text.hasSuffix("\n") else { return nil }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 6 else { return nil }
        func field(_ index: Int, _ name: String) -> String? {
            let prefix = name + " "
            return lines[index].hasPrefix(prefix) ? String(lines[index].dropFirst(prefix.count)) : nil
        }
        func isHex64(_ s: String) -> Bool { s.utf8.count == 64 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }
        guard field(0, "locktrail-checkpoint") == String(Self.encodingVersion),
            let seqText = field(1, "seq"), let seq = Int64(seqText), seq >= 0, String(seq) == seqText,
            let head = field(2, "head"), isHex64(head),
            let timeText = field(3, "time"), let time = Timestamp(parsing: timeText), time.rfc3339 == timeText,
            let previousText = field(4, "previous"), previousText == "none" || isHex64(previousText),
            let keyID = field(5, "key"), !keyID.isEmpty, !keyID.contains(" ")
        else { return nil }
        self.init(seq: seq, head: head, time: time, previous: previousText == "none" ? nil : previousText, keyID: keyID)
    }
}
