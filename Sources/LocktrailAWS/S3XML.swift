import Foundation
import Synchronization

#if canImport(FoundationXML)
import FoundationXML
#endif

/// One element of a parsed S3 response: local name, own text and children in document order.
///
/// S3 listings nest (`Contents/Key`, `Version/Owner/ID`) and interleave element kinds whose order
/// matters (`Version` and `DeleteMarker`), which the flat `XMLElements` scan cannot express.
struct S3XMLElement: Sendable, Equatable {
    var name: String
    var text: String
    var children: [S3XMLElement]

    /// The first direct child named `name`.
    func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }

    /// Every direct child named `name`, in document order.
    func children(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }

    /// The text of the first direct child named `name`.
    func text(_ name: String) -> String? { child(name)?.text }
}

/// A 2xx S3 response whose body (or headers) did not have the expected shape.
public struct S3DecodingError: Error, Sendable, CustomStringConvertible {
    /// The operation whose response was malformed.
    public var operation: String
    /// What was wrong.
    public var reason: String

    /// Creates an error.
    public init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }

    /// One sentence.
    public var description: String { "S3 \(operation) returned a response locktrail cannot read: \(reason)." }
}

/// Parsing of S3's REST-XML response bodies into the listing types.
enum S3XML {
    /// libxml2 (behind FoundationXML on Linux) keeps global state and is only conditionally
    /// thread-safe; listing documents are small, so one parse at a time costs nothing and removes the doubt.
    private static let parseLock = Mutex(())

    /// Parses `bytes` into an element tree (the document element is returned).
    static func parse(_ bytes: [UInt8], operation: String) throws -> S3XMLElement {
        try parseLock.withLock { _ in
            let builder = TreeBuilder()
            let parser = XMLParser(data: Data(bytes))
            parser.shouldProcessNamespaces = true
            parser.delegate = builder
            guard parser.parse(), let root = builder.root else {
                let reason = parser.parserError.map { "\($0)" } ?? "no document element"
                throw S3DecodingError(operation: operation, reason: "invalid XML (\(reason))")
            }
            return root
        }
    }

    // MARK: Documents

    /// A `ListBucketResult` (ListObjectsV2).
    static func objectListing(_ bytes: [UInt8]) throws -> S3ObjectListingPage {
        let operation = "ListObjectsV2"
        let root = try parse(bytes, operation: operation)
        try expect(root, "ListBucketResult", operation)
        let decode = keyDecoder(root)
        let dates = TimestampParser()
        let objects = try root.children("Contents").map { item in
            S3ObjectSummary(
                key: decode(try required(item, "Key", operation)),
                eTag: S3XML.unquote(item.text("ETag") ?? ""),
                size: Int64(item.text("Size") ?? "") ?? 0,
                lastModified: try dates.parse(try required(item, "LastModified", operation), operation),
                storageClass: item.text("StorageClass")
            )
        }
        return S3ObjectListingPage(
            objects: objects,
            commonPrefixes: root.children("CommonPrefixes").compactMap { $0.text("Prefix").map(decode) },
            isTruncated: root.text("IsTruncated") == "true",
            nextContinuationToken: root.text("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// A `ListVersionsResult` (ListObjectVersions), keeping `Version` and `DeleteMarker` in document order.
    static func versionListing(_ bytes: [UInt8]) throws -> S3VersionListingPage {
        let operation = "ListObjectVersions"
        let root = try parse(bytes, operation: operation)
        try expect(root, "ListVersionsResult", operation)
        let decode = keyDecoder(root)
        let dates = TimestampParser()
        var entries: [S3VersionEntry] = []
        for item in root.children {
            switch item.name {
            case "Version":
                entries.append(
                    .version(
                        S3ObjectVersion(
                            key: decode(try required(item, "Key", operation)),
                            versionId: item.text("VersionId") ?? "null",
                            isLatest: item.text("IsLatest") == "true",
                            lastModified: try dates.parse(try required(item, "LastModified", operation), operation),
                            eTag: S3XML.unquote(item.text("ETag") ?? ""),
                            size: Int64(item.text("Size") ?? "") ?? 0,
                            storageClass: item.text("StorageClass")
                        )))
            case "DeleteMarker":
                entries.append(
                    .deleteMarker(
                        S3DeleteMarker(
                            key: decode(try required(item, "Key", operation)),
                            versionId: item.text("VersionId") ?? "null",
                            isLatest: item.text("IsLatest") == "true",
                            lastModified: try dates.parse(try required(item, "LastModified", operation), operation)
                        )))
            default:
                continue
            }
        }
        let truncated = root.text("IsTruncated") == "true"
        return S3VersionListingPage(
            entries: entries,
            isTruncated: truncated,
            nextKeyMarker: truncated ? root.text("NextKeyMarker").flatMap { $0.isEmpty ? nil : decode($0) } : nil,
            nextVersionIdMarker: truncated ? root.text("NextVersionIdMarker").flatMap { $0.isEmpty ? nil : $0 } : nil
        )
    }

    /// A `VersioningConfiguration` (GetBucketVersioning); no `Status` means versioning was never enabled.
    static func versioningStatus(_ bytes: [UInt8]) throws -> S3VersioningStatus {
        let operation = "GetBucketVersioning"
        // Not checked against `VersioningConfiguration`: moto 5 names the root `GetBucketVersioningResponse`,
        // and the AWS SDKs ignore the root name of REST-XML outputs too.
        let root = try parse(bytes, operation: operation)
        switch root.text("Status") {
        case nil, "": return .neverEnabled
        case "Enabled": return .enabled
        case "Suspended": return .suspended
        case let other?: throw S3DecodingError(operation: operation, reason: "unknown versioning status '\(other)'")
        }
    }

    // MARK: Helpers

    /// With `encoding-type=url` S3 percent-encodes keys, prefixes and key markers and says so in
    /// `<EncodingType>`; decode only then, because moto ignores the request for version listings.
    private static func keyDecoder(_ root: S3XMLElement) -> @Sendable (String) -> String {
        guard root.text("EncodingType")?.lowercased() == "url" else { return { $0 } }
        return urlDecode
    }

    /// Form-style decoding as S3 applies it: `+` is a space (a literal plus arrives as `%2B`).
    static func urlDecode(_ text: String) -> String {
        SigV4Signer.percentDecode(Substring(text.replacingOccurrences(of: "+", with: " ")))
    }

    /// ETags arrive quoted (`"9b2c…"`); callers compare them with MD5 hex digests.
    static func unquote(_ eTag: String) -> String {
        var value = eTag.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("W/") { value.removeFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        return value
    }

    private static func expect(_ root: S3XMLElement, _ name: String, _ operation: String) throws {
        guard root.name == name else {
            throw S3DecodingError(operation: operation, reason: "expected <\(name)>, found <\(root.name)>")
        }
    }

    private static func required(_ element: S3XMLElement, _ name: String, _ operation: String) throws -> String {
        guard let value = element.text(name) else {
            throw S3DecodingError(operation: operation, reason: "<\(element.name)> has no <\(name)>")
        }
        return value
    }

    /// One formatter per document: creating an `ISO8601DateFormatter` per element dominates large listings.
    private struct TimestampParser {
        let withFraction: ISO8601DateFormatter
        let plain: ISO8601DateFormatter

        init() {
            withFraction = ISO8601DateFormatter()
            withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            plain = ISO8601DateFormatter()
            plain.formatOptions = [.withInternetDateTime]
        }

        func parse(_ text: String, _ operation: String) throws -> Date {
            guard let date = withFraction.date(from: text) ?? plain.date(from: text) else {
                throw S3DecodingError(operation: operation, reason: "unreadable timestamp '\(text)'")
            }
            return date
        }
    }

    /// Builds the element tree from XMLParser's callbacks; confined to one `parse` call.
    private final class TreeBuilder: NSObject, XMLParserDelegate {
        private var stack: [S3XMLElement] = []
        private(set) var root: S3XMLElement?

        func parser(
            _ parser: XMLParser,
            didStartElement elementName: String,
            namespaceURI: String?,
            qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(S3XMLElement(name: elementName, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard var finished = stack.popLast() else { return }
            // Whitespace between child elements is layout, not content.
            if !finished.children.isEmpty { finished.text = finished.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if stack.isEmpty {
                root = finished
            } else {
                stack[stack.count - 1].children.append(finished)
            }
        }
    }
}
