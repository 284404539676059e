import LocktrailCrypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Terraform/OpenTofu lock record (`LockInfo`), the same bytes in a DynamoDB `Info` attribute
/// and in a `.tflock` file. Every field is optional: records from other tools, older versions or
/// hand edits must still be read, and what is odd about them is listed in `problems`.
public struct LockRecord: Hashable, Sendable {
    /// The lock ID: 8-4-4-4-12 lowercase hex, not a v4 UUID (no version bits).
    public var id: String
    /// The operation, an open string (`OperationTypeApply`, `init`, `state-mv`, `""`, …).
    public var operation: String?
    /// Always `""` for the S3 backend.
    public var info: String?
    /// `user@host`, or `@host` when the user could not be resolved.
    public var who: String?
    /// Terraform or OpenTofu core version (the numbers overlap: it does not tell them apart).
    public var version: String?
    /// `Created` exactly as written (0–9 fractional digits).
    public var createdText: String?
    /// `Created` parsed and truncated to microseconds; nil if absent or not RFC 3339.
    public var created: Timestamp?
    /// `<bucket>/<state object key>`.
    public var path: String?
    /// Members this parser does not know, kept so nothing is lost.
    public var unknownFields: [String: JSONValue]
    /// What was missing or odd, in words; empty for a record exactly as Terraform writes it.
    public var problems: [String]

    /// The user part of `who` (before the last `@`); nil for `@host` or no `@`.
    public var user: String? {
        guard let who, let at = who.lastIndex(of: "@") else { return nil }
        let user = who[..<at]
        return user.isEmpty ? nil : String(user)
    }

    /// The host part of `who` (after the last `@`).
    public var host: String? {
        guard let who, let at = who.lastIndex(of: "@") else { return nil }
        let host = who[who.index(after: at)...]
        return host.isEmpty ? nil : String(host)
    }

    /// Operations Terraform and OpenTofu are known to write.
    public static let knownOperations: Set<String> = [
        "OperationTypeApply", "OperationTypePlan", "OperationTypeRefresh", "OperationTypeInvalid",
        "init", "state-mv", "state-push", "state-rm", "state-replace-provider", "taint", "untaint",
        "workspace-new", "migration source state", "migration destination state", "",
    ]

    /// A record is larger than this only by accident or malice; it is kept raw, not parsed.
    public static let maximumSize = 64 * 1024

    /// The fields of a record in Terraform's JSON form.
    public var json: JSONValue {
        var o: [String: JSONValue] = unknownFields
        o["ID"] = .string(id)
        if let operation { o["Operation"] = .string(operation) }
        if let info { o["Info"] = .string(info) }
        if let who { o["Who"] = .string(who) }
        if let version { o["Version"] = .string(version) }
        if let createdText { o["Created"] = .string(createdText) }
        if let path { o["Path"] = .string(path) }
        return .object(o)
    }
}

/// The outcome of reading bytes that should be a lock record.
public enum LockRecordParse: Hashable, Sendable {
    /// A record with an ID (possibly with problems listed).
    case record(LockRecord)
    /// Not a lock record; the reason says why. The caller keeps the raw bytes.
    case unparseable(reason: String)

    /// The record, if there is one.
    public var record: LockRecord? {
        if case .record(let r) = self { return r }
        return nil
    }

    /// The reason, if the bytes were not a record.
    public var failure: String? {
        if case .unparseable(let reason) = self { return reason }
        return nil
    }

    /// Reads `bytes` tolerantly: unknown and missing members are allowed, other time precisions
    /// too; only something that is not a JSON object with a string `ID` fails.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> LockRecordParse {
        guard bytes.count <= LockRecord.maximumSize else {
            return .unparseable(reason: "record is \(bytes.count) bytes, over the \(LockRecord.maximumSize)-byte limit for a lock record")
        }
        guard !bytes.isEmpty else { return .unparseable(reason: "record is empty") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return .unparseable(reason: "not JSON: \(error)")
        }
        guard case .object(var members) = value else { return .unparseable(reason: "not a JSON object") }
        guard let idValue = members.removeValue(forKey: "ID") else { return .unparseable(reason: "no ID member") }
        guard case .string(let id) = idValue, !id.isEmpty else { return .unparseable(reason: "ID is not a non-empty string") }

        var problems: [String] = []
        if !isTerraformLockID(id) { problems.append("ID is not 8-4-4-4-12 lowercase hex") }
        func take(_ key: String) -> String? {
            guard let v = members.removeValue(forKey: key) else {
                problems.append("\(key) is missing")
                return nil
            }
            guard case .string(let s) = v else {
                problems.append("\(key) is not a string")
                members["\(key)"] = v  // keep the odd value rather than drop it
                return nil
            }
            return s
        }
        var record = LockRecord(
            id: id, operation: take("Operation"), info: take("Info"), who: take("Who"), version: take("Version"),
            createdText: take("Created"), created: nil, path: take("Path"), unknownFields: [:], problems: [])
        if let text = record.createdText {
            record.created = Timestamp(parsing: text)
            if record.created == nil {
                problems.append("Created is not an RFC 3339 time")
            } else if record.created?.isSupported == false {
                // Not a time an event can carry (the database would refuse it): kept as text only.
                record.created = nil
                problems.append("Created is outside the years 0001 to 9999 (UTC)")
            }
        }
        if let who = record.who, !who.contains("@") { problems.append("Who has no @host") }
        record.unknownFields = members
        record.problems = problems
        return .record(record)
    }

    /// Whether `id` has Terraform's shape: 8-4-4-4-12 lowercase hex digits.
    public static func isTerraformLockID(_ id: String) -> Bool {
        let groups = id.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }
    }
}

/// A raw observation as JSON that PostgreSQL can store: text when the bytes are valid UTF-8
/// without NUL, base64 otherwise; cut at `limit` bytes with the full size and SHA-256 kept.
public enum RawObservation {
    /// `{"text": …}` or `{"base64": …}`, plus `size`, `sha256` and `truncated` when cut.
    public static func json(_ bytes: [UInt8], limit: Int = 256 * 1024) -> JSONValue {
        var out: [String: JSONValue] = [:]
        let kept = bytes.count > limit ? Array(bytes.prefix(limit)) : bytes
        if bytes.count > limit {
            out["truncated"] = .bool(true)
            out["size"] = .int(Int64(bytes.count))
            out["sha256"] = .string(Hex.encode(Digest.sha256(bytes)))
        }
        if !kept.contains(0), let text = String(validating: kept, as: UTF8.self) {
            out["text"] = .string(text)
        } else {
            out["base64"] = .string(Data(kept).base64EncodedString())
        }
        return .object(out)
    }
}
