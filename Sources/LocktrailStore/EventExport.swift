import Foundation
public import LocktrailCore
import LocktrailCrypto

/// The raw record for compliance: one event per line, as JSON or CSV, with its chain hashes and
/// canonical encoding version so an export can be checked against `locktrail verify`. Shared by `locktrail export`, `events`
/// and `/v1/export`, `/v1/events`.
public enum EventExport {
    /// Events fetched per round trip: large enough to stream fast, small enough to stay constant.
    public static let pageSize = 5000

    /// The CSV header line.
    public static let csvHeader =
        "seq,key,kind,source,mechanism,occurred_at,occurred_after,occurred_not_after,observed_at,lock_id,state,workspace,details,raw,prev_hash,hash,encoding\n"

    /// One CSV line (RFC 4180 quoting).
    public static func csvLine(_ stored: StoredEvent) -> String {
        let e = stored.event
        var at: String?, after: String?, notAfter: String?
        switch e.time {
        case .exact(let t): at = t.rfc3339
        case .between(let a, let n): after = a?.rfc3339; notAfter = n.rfc3339
        }
        let fields: [String?] = [
            String(stored.seq), e.key, e.kind.rawValue, e.source, e.mechanism?.rawValue, at, after, notAfter, e.observedAt.rfc3339,
            e.lockID, e.state, e.workspace, CanonicalJSON.string(e.details), e.raw.map { CanonicalJSON.string($0) },
            Hex.encode(stored.previousHash), Hex.encode(stored.hash), String(stored.encoding.rawValue),
        ]
        return fields.map { csvField($0 ?? "") }.joined(separator: ",") + "\n"
    }

    /// One JSON line.
    public static func jsonLine(_ stored: StoredEvent) -> String { CanonicalJSON.string(stored.json) + "\n" }

    /// A CSV field, quoted when it must be.
    public static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension StoredEvent {
    /// The event as the JSON of `events`, `export` and the API.
    public var json: JSONValue {
        let e = event
        var o: [String: JSONValue] = [
            "seq": .int(seq), "key": .string(e.key), "kind": .string(e.kind.rawValue), "source": .string(e.source),
            "mechanism": .optional(e.mechanism?.rawValue), "observed_at": .string(e.observedAt.rfc3339),
            "lock_id": .optional(e.lockID), "state": .optional(e.state), "workspace": .optional(e.workspace),
            "details": e.details, "raw": e.raw ?? .null, "prev_hash": .string(Hex.encode(previousHash)), "hash": .string(Hex.encode(hash)),
            "encoding": .int(Int64(encoding.rawValue)),
        ]
        switch e.time {
        case .exact(let t):
            o["occurred_at"] = .string(t.rfc3339)
            o["occurred_after"] = .null
            o["occurred_not_after"] = .null
        case .between(let a, let n):
            o["occurred_at"] = .null
            o["occurred_after"] = .optional(a?.rfc3339)
            o["occurred_not_after"] = .string(n.rfc3339)
        }
        return .object(o)
    }
}
