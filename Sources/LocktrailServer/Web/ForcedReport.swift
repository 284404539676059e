import Foundation
import Hummingbird
import LocktrailCore

/// The compliance report of force-removals as CSV (RFC 4180), for `GET /v1/forced?format=csv`
/// and the page's download: one row per forced hold, with the actor, reason and the events that prove it.
enum ForcedReport {
    static let columns = [
        "state", "workspace", "who", "operation", "lock_id", "acquired", "released", "forced_by", "force_reason",
        "force_provenance", "force_reported_by", "evidence",
    ]

    static func csv(_ holds: [JSONValue]) -> String {
        var out = columns.joined(separator: ",") + "\r\n"
        for hold in holds {
            let proof = (hold["evidence"]?.arrayValue ?? [])
                .filter { ["lock.force_unlocked", "lock.release_failed", "run.heartbeat"].contains($0.text("kind") ?? "") }
                .compactMap { e in e.text("kind").map { k in k + "#" + (e["seq"]?.numberValue.map { String(Int64($0)) } ?? "?") } }
            let fields: [String?] = [
                hold.text("state"), hold.text("workspace"), hold.text("who"), hold.text("operation"), hold.text("lock_id"),
                text(hold.eventTime("acquired")), text(hold.eventTime("released")), hold.text("forced_by"), hold.text("force_reason"),
                hold.text("force_provenance"), hold.text("force_reported_by"), proof.joined(separator: " "),
            ]
            out += fields.map { field($0 ?? "") }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// A time as the CLI prints it: RFC 3339, or `(after, not_after]`.
    static func text(_ t: EventTime?) -> String {
        switch t {
        case nil: return ""
        case .exact(let at)?: return at.rfc3339
        case .between(let after, let notAfter)?: return "(\(after?.rfc3339 ?? ""), \(notAfter.rfc3339)]"
        }
    }

    static func field(_ s: String) -> String {
        // A leading =, +, - or @ would be a formula to a spreadsheet: quoted with a leading apostrophe.
        var s = s
        if let first = s.first, "=+-@".contains(first) { s = "'" + s }
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func response(_ holds: [JSONValue]) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"locktrail-forced.csv\"",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: csv(holds))))
    }
}
