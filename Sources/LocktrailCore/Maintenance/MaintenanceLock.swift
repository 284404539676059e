/// A maintenance lock: a lock record that `locktrail lock` writes where terraform looks for its
/// own, so every terraform run on the state is refused and prints the reason (the record's
/// `Info`). The record is valid for terraform and OpenTofu: same fields, same order, compact JSON.
public struct MaintenanceLock: Hashable, Sendable {
    /// The `Operation` of every maintenance lock (terraform prints it as `Operation:`).
    public static let operation = "locktrail-maintenance"

    /// The lock ID: 8-4-4-4-12 lowercase hex, as terraform makes them.
    public var id: String
    /// The state, by its lock path (the record's `Path`).
    public var state: String
    /// Why the state is frozen.
    public var reason: String
    /// Who took it (`user@host`), the record's `Who`.
    public var actor: String
    /// When it was taken (the record's `Created`).
    public var created: Timestamp
    /// When the collector that owns the source removes it.
    public var expires: Timestamp

    /// A maintenance lock; `randomBytes` (16 of them) make the ID.
    public init(state: String, reason: String, actor: String, created: Timestamp, expires: Timestamp, randomBytes: [UInt8]) {
        self.id = Self.lockID(randomBytes)
        self.state = state
        self.reason = reason
        self.actor = actor
        self.created = created
        self.expires = expires
    }

    /// A lock whose every field is given (read back from its `maintenance.locked` event).
    public init(id: String, state: String, reason: String, actor: String, created: Timestamp, expires: Timestamp) {
        (self.id, self.state, self.reason, self.actor, self.created, self.expires) = (id, state, reason, actor, created, expires)
    }

    /// The record's `Info`: the reason first (terraform prints it whole), then who and until when.
    public var info: String {
        "\(reason) (maintenance lock by \(actor) with locktrail lock; expires \(expires.rfc3339); release: locktrail lock --release --state \(state))"
    }

    /// The lock record's exact bytes, as terraform's `json.Marshal` of `LockInfo` writes them.
    public var record: String {
        let fields: [(String, String)] = [
            ("ID", id), ("Operation", Self.operation), ("Info", info), ("Who", actor),
            ("Version", LocktrailVersion.current), ("Created", created.rfc3339), ("Path", state),
        ]
        return "{" + fields.map { Self.goString($0.0) + ":" + Self.goString($0.1) }.joined(separator: ",") + "}"
    }

    /// The reason and expiry of a record that is a maintenance lock; nil for any other record.
    public static func mark(operation: String?, info: String?) -> (reason: String, expires: Timestamp?)? {
        guard operation == Self.operation, let info else { return nil }
        let characters = Array(info)
        guard let open = lastIndex(of: Array(" (maintenance lock by "), in: characters) else { return (info, nil) }
        let reason = String(characters[..<open])
        var expires: Timestamp?
        let marker = Array("; expires ")
        if let e = lastIndex(of: marker, in: characters), e > open {
            let rest = characters[(e + marker.count)...]
            let end = rest.firstIndex(of: ";") ?? rest.endIndex
            expires = Timestamp(parsing: String(rest[..<end]))
        }
        return (reason, expires)
    }

    private static func lastIndex(of needle: [Character], in haystack: [Character]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in stride(from: haystack.count - needle.count, through: 0, by: -1) where Array(haystack[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }

    /// `8-4-4-4-12` lowercase hex of 16 random bytes (no UUID version bits, like terraform's).
    static func lockID(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef")
        var out = ""
        for (i, byte) in bytes.prefix(16).enumerated() {
            if [4, 6, 8, 10].contains(i) { out.append("-") }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return out
    }

    /// A JSON string as Go's encoding/json writes it: HTML-safe (`<`, `>`, `&` escaped) and
    /// U+2028/U+2029 escaped, like every record terraform writes.
    static func goString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            case _ where scalar.value < 0x20:
                out += "\\u" + hex4(scalar.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}
