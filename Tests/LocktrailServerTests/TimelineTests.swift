import Foundation
import LocktrailCore
import Testing

@testable import LocktrailServer

/// The timeline draws exactly what the answers claim: bounds as hatched stretches, a lock still
/// held certain only up to its last sighting, write statuses told apart, gaps as bands, and every
/// element a link to its evidence.
@Suite("Timeline SVG")
struct TimelineTests {
    static func t(_ s: Int64) -> Timestamp { Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000 + s * 1_000_000) }

    static func hold(
        _ id: String, acquired: EventTime?, released: EventTime?, kind: String?, seenUntil: Timestamp? = nil, forcedBy: String? = nil
    ) -> JSONValue {
        var o: [String: JSONValue] = [
            "lock_id": .string(id), "who": "dave@laptop", "operation": "OperationTypeApply",
            "release_kind": .optional(kind), "forced_by": .optional(forcedBy),
            "seen_held_until": .optional(seenUntil?.rfc3339),
        ]
        if let acquired { o.merge(acquired.boundsJSON(prefix: "acquired")) { a, _ in a } }
        if let released { o.merge(released.boundsJSON(prefix: "released")) { a, _ in a } }
        return .object(o)
    }

    static func timeline(holds: [JSONValue], writes: [JSONValue] = [], gaps: [Timeline.Gap] = []) -> String {
        Timeline(
            holds: holds.map(Timeline.HoldBar.init(json:)), writes: writes.compactMap(Timeline.WriteTick.init(json:)), marks: [],
            gaps: gaps, since: t(0), until: t(100), basePath: "/lt"
        ).svg()
    }

    /// An element's content from `marker` (an attribute of its `<g>`) to its closing `</g>`.
    static func group(_ svg: String, _ marker: String) -> String {
        guard let start = svg.range(of: marker) else { return "" }
        let rest = svg[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</g>")?.lowerBound ?? rest.endIndex)])
    }

    @Test("an exact acquire and a release known only between two scans: a sharp start, a certain part, a hatched end")
    func boundedRelease() {
        let svg = Self.timeline(holds: [
            Self.hold("a", acquired: .exact(Self.t(10)), released: .between(after: Self.t(40), notAfter: Self.t(70)), kind: "released")
        ])
        let g = Self.group(svg, "data-lock-id=\"a\"")
        #expect(g.contains("class=\"certain\""))
        #expect(g.components(separatedBy: "class=\"uncertain\"").count == 2, "exactly one hatched stretch, the release's: \(g)")
        #expect(svg.contains("href=\"/lt/ui/hold?lock_id=a\""), "the bar links to the hold's page (its evidence)")
        #expect(g.contains("between \(Self.t(40).rfc3339) and \(Self.t(70).rfc3339) (bounds only)"))
    }

    @Test("a hold whose acquire was never seen is never drawn certain")
    func unseenAcquire() {
        let svg = Self.timeline(holds: [Self.hold("b", acquired: nil, released: .between(after: Self.t(40), notAfter: Self.t(50)), kind: "released")])
        let g = Self.group(svg, "data-lock-id=\"b\"")
        #expect(!g.contains("class=\"certain\""), "\(g)")
        #expect(g.contains("class=\"uncertain\""))
    }

    @Test("a lock still held is certain up to its last sighting and hatched after it; a forced one names its actor")
    func heldAndForced() {
        let svg = Self.timeline(holds: [
            Self.hold("c", acquired: .exact(Self.t(10)), released: nil, kind: nil, seenUntil: Self.t(60)),
            Self.hold(
                "d", acquired: .exact(Self.t(70)), released: .between(after: Self.t(80), notAfter: Self.t(81)), kind: "forced", forcedBy: "bob@ops"),
        ])
        let held = Self.group(svg, "data-lock-id=\"c\"")
        #expect(svg.contains("class=\"hold hold-held\" data-lock-id=\"c\""))
        #expect(held.contains("class=\"certain\"") && held.contains("class=\"uncertain\""), "\(held)")
        #expect(held.contains("certainly held until \(Self.t(60).rfc3339)"))
        #expect(svg.contains("class=\"hold hold-forced\" data-lock-id=\"d\""))
        #expect(Self.group(svg, "data-lock-id=\"d\"").contains("forced by bob@ops"))
    }

    @Test(
        "writes: unlocked is marked and labelled, ambiguous and unknown differ from locked, a serial regression is flagged",
        arguments: [
            ("locked", false), ("ambiguous", false), ("unknown", false), ("unlocked", true),
        ])
    func writes(_ status: String, marked: Bool) {
        var w: [String: JSONValue] = [
            "seq": 7, "status": .string(status), "reason": "r", "serial": 3, "previous_serial": 5,
            "serial_regression": true, "evidence": [["seq": 7]],
        ]
        w.merge(EventTime.exact(Self.t(50)).boundsJSON(prefix: "written")) { a, _ in a }
        let svg = Self.timeline(holds: [], writes: [.object(w)])
        #expect(svg.contains("class=\"write write-\(status) serial-regression\" data-seq=\"7\""))
        #expect(svg.contains("unlocked-mark") == marked)
        #expect(svg.contains("↓serial"))
        #expect(svg.contains("href=\"/lt/ui/events?seq=7\""))
    }

    @Test("a coverage gap is a band over the whole drawing, linked to its event")
    func gap() {
        let svg = Self.timeline(
            holds: [], gaps: [.init(seq: 9, source: "dynamodb:us-east-1/t", from: Self.t(20), to: Self.t(30), reason: "collector not running")])
        #expect(svg.contains("class=\"gap\" data-seq=\"9\""))
        #expect(svg.contains("href=\"/lt/ui/events?seq=9\""))
        #expect(svg.contains("collector not running"))
    }

    @Test("text from the data is escaped")
    func escaping() {
        let svg = Self.timeline(holds: [Self.hold("<x>\"", acquired: .exact(Self.t(1)), released: .exact(Self.t(2)), kind: "released")])
        #expect(!svg.contains("<x>"))
        #expect(svg.contains("&lt;x&gt;&quot;"))
    }
}
