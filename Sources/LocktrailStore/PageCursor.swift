public import LocktrailCore

/// The position after the last item of a page of holds: its sort time and lock ID, as an opaque
/// token (`<microseconds>.<lock id hex>`) that clients pass back unchanged.
public struct PageCursor: Hashable, Sendable {
    /// The last item's sort time.
    public var sortAt: Timestamp
    /// The last item's lock ID.
    public var lockID: String

    /// A cursor after (`sortAt`, `lockID`).
    public init(sortAt: Timestamp, lockID: String) {
        self.sortAt = sortAt
        self.lockID = lockID
    }

    /// The start of a list.
    public static let start = PageCursor(sortAt: Timestamp(microsecondsSinceEpoch: -62_135_596_800_000_000), lockID: "")

    /// The token.
    public var token: String {
        String(sortAt.microseconds) + "."
            + Array(lockID.utf8).map { byte in
                let digits = Array("0123456789abcdef")
                return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
            }.joined()
    }

    /// Reads a token; throws a `QueryError` about `cursor` when it is not one.
    public init(token: String) throws {
        let parts = token.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        // A time outside years 1–9999 cannot come from this server, and printing it would overflow.
        guard parts.count == 2, let micros = Int64(parts[0]), Timestamp(microsecondsSinceEpoch: micros).isSupported,
            parts[1].utf8.count % 2 == 0, parts[1].utf8.count <= 512
        else {
            throw QueryError(field: "cursor", "cursor is not one this server returned; pass next_cursor back unchanged.")
        }
        var bytes: [UInt8] = []
        var iterator = parts[1].utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = Self.hexValue(high), let l = Self.hexValue(low) else {
                throw QueryError(field: "cursor", "cursor is not one this server returned; pass next_cursor back unchanged.")
            }
            bytes.append(h << 4 | l)
        }
        guard let id = String(validating: bytes, as: UTF8.self) else {
            throw QueryError(field: "cursor", "cursor is not one this server returned; pass next_cursor back unchanged.")
        }
        self.init(sortAt: Timestamp(microsecondsSinceEpoch: micros), lockID: id)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        default: return nil
        }
    }
}
