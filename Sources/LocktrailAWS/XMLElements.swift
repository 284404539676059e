import Foundation

/// Reads text of simple leaf elements from small AWS XML responses (errors, STS, IAM).
///
/// AWS query-protocol responses used here are flat enough that a full XML parser (and the
/// libxml2 dependency of FoundationXML) is not worth it.
enum XMLElements {
    /// The unescaped text of the first `<name>…</name>` element, ignoring namespace prefixes and attributes.
    static func first(_ name: String, in xml: String) -> String? {
        var searchStart = xml.startIndex
        while let open = xml.range(of: "<", range: searchStart..<xml.endIndex) {
            guard let close = xml.range(of: ">", range: open.upperBound..<xml.endIndex) else { return nil }
            let tag = xml[open.upperBound..<close.lowerBound]
            searchStart = close.upperBound
            let tagName = tag.prefix { $0 != " " && $0 != "/" && $0 != "\t" && $0 != "\n" }
            let localName = tagName.split(separator: ":").last.map(String.init) ?? ""
            guard localName == name, !tag.hasSuffix("/") else { continue }
            guard let end = xml.range(of: "</\(tagName)>", range: close.upperBound..<xml.endIndex) else { return nil }
            return unescape(String(xml[close.upperBound..<end.lowerBound]))
        }
        return nil
    }

    private static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return
            text
            .replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
