/// What the first bytes of an S3 object say about it: a Terraform state (with the identity fields
/// that sit at its top), an encrypted OpenTofu state, or something else.
///
/// Terraform writes `version`, `terraform_version`, `serial` and `lineage` first, pretty-printed
/// (terraform-locks.md §7), so a ranged GET of about 1 KiB holds them. The bytes are usually cut
/// mid-document, so this scans for the members rather than parsing JSON.
public enum StateHead: Hashable, Sendable {
    /// A readable state; any field may be nil if it was past the bytes read.
    case state(formatVersion: Int64?, terraformVersion: String?, serial: Int64?, lineage: String?)
    /// An OpenTofu encrypted state: a JSON envelope with `encrypted_data`/`meta`, or not JSON at all
    /// while looking like an upload of a state (the caller decides that from the key).
    case encrypted
    /// Not a state (a plan file, a README, …).
    case other

    /// How many leading bytes the collector reads (`Range: bytes=0-1023`).
    public static let readLength = 1024

    /// Reads the head of an object; `key` helps decide whether non-JSON bytes are an encrypted state.
    public static func read<Bytes: Collection<UInt8>>(_ bytes: Bytes, key: String) -> StateHead {
        let b = Array(bytes)
        guard let first = b.firstIndex(where: { !isSpace($0) }) else { return .other }
        guard b[first] == UInt8(ascii: "{") else {
            // OpenTofu can store a state in a non-JSON envelope; only a state-shaped key tells.
            return looksLikeStateKey(key) ? .encrypted : .other
        }
        let version = integer(after: "version", in: b)
        let serial = integer(after: "serial", in: b)
        let lineage = string(after: "lineage", in: b)
        let terraformVersion = string(after: "terraform_version", in: b)
        if lineage != nil || serial != nil || (version != nil && terraformVersion != nil) {
            return .state(formatVersion: version, terraformVersion: terraformVersion, serial: serial, lineage: lineage)
        }
        if memberIndex("encrypted_data", in: b) != nil || (memberIndex("meta", in: b) != nil && looksLikeStateKey(key)) {
            return .encrypted
        }
        return .other
    }

    /// Whether `key` is named like a state object (`*.tfstate`, or the backend's usual `terraform.tfstate`).
    public static func looksLikeStateKey(_ key: String) -> Bool {
        key.hasSuffix(".tfstate") || key.hasSuffix("tfstate.json")
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    /// The index just after `"name"` followed by optional space and `:`, at top level or not
    /// (a state's identity members come before any nested object, so the first match is the one).
    private static func memberIndex(_ name: String, in b: [UInt8]) -> Int? {
        let needle = Array(("\"" + name + "\"").utf8)
        guard b.count >= needle.count else { return nil }
        var i = 0
        while i + needle.count <= b.count {
            if b[i] == needle[0], Array(b[i..<(i + needle.count)]) == needle {
                var j = i + needle.count
                while j < b.count, isSpace(b[j]) { j += 1 }
                if j < b.count, b[j] == UInt8(ascii: ":") {
                    j += 1
                    while j < b.count, isSpace(b[j]) { j += 1 }
                    return j
                }
            }
            i += 1
        }
        return nil
    }

    private static func integer(after name: String, in b: [UInt8]) -> Int64? {
        guard var i = memberIndex(name, in: b) else { return nil }
        var digits: [UInt8] = []
        while i < b.count, (48...57).contains(b[i]) || (digits.isEmpty && b[i] == UInt8(ascii: "-")) {
            digits.append(b[i])
            i += 1
        }
        // A number cut by the end of the range is not trusted.
        guard i < b.count, !digits.isEmpty else { return nil }
        return Int64(String(decoding: digits, as: UTF8.self))
    }

    private static func string(after name: String, in b: [UInt8]) -> String? {
        guard var i = memberIndex(name, in: b), i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") { return nil }  // identity fields never need escapes; do not guess
            out.append(c)
            i += 1
        }
        return nil  // cut mid-string
    }
}
