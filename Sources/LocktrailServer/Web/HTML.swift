import Foundation
import LocktrailCore

/// Text made safe for HTML and SVG: element content and double-quoted attribute values alike.
enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'`.
    static func escape(_ text: String) -> String {
        // Most text (lock IDs, times, names) has nothing to escape: no copy then.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Percent-encodes a query value (everything but unreserved characters).
    static func query(_ value: String) -> String {
        func unreserved(_ b: UInt8) -> Bool {
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
        }
        guard !value.utf8.allSatisfy(unreserved) else { return value }
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A query string from pairs, nil values left out: `?a=1&b=2`, or "" when none.
    static func queryString(_ pairs: [(String, String?)]) -> String {
        let parts = pairs.compactMap { name, value in value.map { name + "=" + query($0) } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    /// A time as the page shows it: UTC text, the machine-readable value for the local time on hover.
    static func time(_ t: Timestamp) -> String {
        let text = t.rfc3339Seconds.replacingOccurrences(of: "T", with: " ")
        return "<time datetime=\"\(t.rfc3339)\" title=\"\(t.rfc3339)\">\(text)</time>"
    }

    /// An event time: exact, or `(after, not after]` when only bounds are known.
    static func time(_ t: EventTime?) -> String {
        switch t {
        case nil: return "<span class=\"muted\">unknown</span>"
        case .exact(let at)?: return time(at)
        case .between(let after, let notAfter)?:
            let lower = after.map(time) ?? "…"
            return "<span class=\"bounded\" title=\"known only within these bounds\">(\(lower), \(time(notAfter))]</span>"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

extension JSONValue {
    /// The event time stored under `prefix` (`acquired`, `released`, `written`, `occurred`): exact, bounded, or nil.
    func eventTime(_ prefix: String) -> EventTime? {
        if let at = self[prefix + "_at"]?.stringValue.flatMap(Timestamp.init(parsing:)) { return .exact(at) }
        guard let notAfter = self[prefix + "_not_after"]?.stringValue.flatMap(Timestamp.init(parsing:)) else { return nil }
        return .between(after: self[prefix + "_after"]?.stringValue.flatMap(Timestamp.init(parsing:)), notAfter: notAfter)
    }

    /// A text member, nil when absent or not text.
    func text(_ key: String) -> String? { self[key]?.stringValue }

    /// The seqs of an `evidence` list.
    var evidenceSeqs: [Int64] {
        (self["evidence"]?.arrayValue ?? []).compactMap { $0["seq"]?.numberValue.map { Int64($0) } }
    }
}
