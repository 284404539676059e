import Foundation
import LocktrailCore

/// A state's history drawn as inline SVG on the server: one bar per hold, writes as ticks,
/// contention and force-unlocks as marks, coverage gaps as bands. It draws exactly what the
/// answers claim: a time known only within bounds is drawn as a hatched stretch, never as a
/// sharp edge; a hold still held is certain only up to `seen_held_until`.
struct Timeline {
    /// A hold as the timeline needs it, read from the hold's JSON.
    struct HoldBar {
        var lockID: String
        var who: String?, operation: String?
        var acquired: EventTime?, released: EventTime?
        var seenHeldUntil: Timestamp?
        var releaseKind: String?
        var forcedBy: String?, forceReason: String?

        init(json: JSONValue) {
            lockID = json.text("lock_id") ?? "?"
            who = json.text("who")
            operation = json.text("operation")
            acquired = json.eventTime("acquired")
            released = json.eventTime("released")
            seenHeldUntil = json.text("seen_held_until").flatMap(Timestamp.init(parsing:))
            releaseKind = json.text("release_kind")
            forcedBy = json.text("forced_by")
            forceReason = json.text("force_reason")
        }

        /// The earliest it may have begun (nil: no acquire seen, unbounded).
        var outerStart: Timestamp? { acquired.flatMap { $0.earliest } }
        /// From when it was certainly held.
        var innerStart: Timestamp? { acquired?.latest }
        /// Until when it was certainly held.
        var innerEnd: Timestamp? {
            switch released {
            case nil: return seenHeldUntil
            case .exact(let t)?: return t
            case .between(let after, _)?: return after
            }
        }
        /// The latest it may have ended (nil: still held).
        var outerEnd: Timestamp? { released?.latest }
    }

    /// A write as the timeline needs it.
    struct WriteTick {
        var seq: Int64
        var time: EventTime
        var status: String
        var lockID: String?
        var who: String?
        var serial: Int64?, previousSerial: Int64?
        var serialRegression: Bool, lineageChanged: Bool
        var reason: String
        var evidence: [Int64]

        init?(json: JSONValue) {
            guard let seq = json["seq"]?.numberValue, let time = json.eventTime("written") else { return nil }
            self.seq = Int64(seq)
            self.time = time
            status = json.text("status") ?? "unknown"
            lockID = json.text("lock_id")
            who = json.text("who")
            serial = json["serial"]?.numberValue.map { Int64($0) }
            previousSerial = json["previous_serial"]?.numberValue.map { Int64($0) }
            serialRegression = json["serial_regression"] == .bool(true)
            lineageChanged = json["lineage_changed"] == .bool(true)
            reason = json.text("reason") ?? ""
            evidence = json.evidenceSeqs
        }
    }

    /// A mark from one event: contention, a force-unlock attempt, a failed release.
    struct Mark {
        enum Kind: String { case contention, force, releaseFailed = "release-failed" }
        var kind: Kind
        var seq: Int64
        var time: EventTime
        var lockID: String?
        var label: String
    }

    /// A period in which a source could not observe.
    struct Gap {
        var seq: Int64
        var source: String
        var from: Timestamp, to: Timestamp
        var reason: String
    }

    var holds: [HoldBar]
    var writes: [WriteTick]
    var marks: [Mark]
    var gaps: [Gap]
    /// The period drawn.
    var since: Timestamp, until: Timestamp
    /// Where links go: the page prefix (`--base-path`).
    var basePath: String

    static let width = 1200.0
    static let left = 8.0, right = 8.0
    static let axisHeight = 34.0, laneHeight = 26.0, barHeight = 18.0, writesHeight = 44.0, marksHeight = 26.0

    /// The x of `t`, clamped to the drawing.
    func x(_ t: Timestamp) -> Double {
        let span = Double(max(1, until.microseconds - since.microseconds))
        let fraction = Double(t.microseconds - since.microseconds) / span
        return Self.left + min(1, max(0, fraction)) * (Self.width - Self.left - Self.right)
    }

    /// Lanes: a hold goes into the first lane whose last bar ended before it begins (with room for
    /// a minimal bar), so overlapping holds — which the evidence may allow — are never drawn on top
    /// of each other.
    func lanes() -> [Int] {
        var laneEnds: [Double] = []
        var assignment = [Int](repeating: 0, count: holds.count)
        let order = holds.indices.sorted { (holds[$0].outerStart ?? since) < (holds[$1].outerStart ?? since) }
        for i in order {
            let hold = holds[i]
            let start = x(hold.outerStart ?? since)
            let end = max(x(hold.outerEnd ?? until), start + 3)
            if let lane = laneEnds.firstIndex(where: { $0 + 1 < start }) {
                assignment[i] = lane
                laneEnds[lane] = end
            } else {
                assignment[i] = laneEnds.count
                laneEnds.append(end)
            }
        }
        return assignment
    }

    /// The SVG element.
    func svg() -> String {
        let lanes = lanes()
        let laneCount = max(1, (lanes.max() ?? 0) + 1)
        let holdsTop = Self.axisHeight
        let writesTop = holdsTop + Double(laneCount) * Self.laneHeight + 6
        let marksTop = writesTop + Self.writesHeight
        let height = marksTop + Self.marksHeight
        var out = ""
        out.reserveCapacity(400 + holds.count * 700 + writes.count * 400)
        out += "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" "
        out += "role=\"img\" aria-label=\"Timeline of \(holds.count) holds and \(writes.count) writes\">"
        out += """
            <defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
            <rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch-line" stroke-width="3"/></pattern>\
            <pattern id="gap-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">\
            <line x1="0" y1="0" x2="0" y2="8" class="gap-line" stroke-width="2"/></pattern></defs>
            """
        drawGaps(into: &out, top: holdsTop - 4, height: height - holdsTop + 4)
        drawAxis(into: &out, height: height)
        for (i, hold) in holds.enumerated() {
            drawHold(hold, top: holdsTop + Double(lanes[i]) * Self.laneHeight, into: &out)
        }
        out += "<text class=\"row-label\" x=\"\(Self.left)\" y=\"\(fmt(writesTop + 10))\">writes</text>"
        out +=
            "<line class=\"row-rule\" x1=\"\(Self.left)\" x2=\"\(fmt(Self.width - Self.right))\" y1=\"\(fmt(writesTop + Self.writesHeight - 8))\" y2=\"\(fmt(writesTop + Self.writesHeight - 8))\"/>"
        for write in writes { drawWrite(write, top: writesTop, into: &out) }
        let laneOf = Dictionary(holds.indices.map { (holds[$0].lockID, lanes[$0]) }, uniquingKeysWith: { a, _ in a })
        for mark in marks {
            let lane = mark.lockID.flatMap { laneOf[$0] }
            let y = lane.map { holdsTop + Double($0) * Self.laneHeight + Self.barHeight / 2 } ?? (marksTop + 10)
            drawMark(mark, y: y, into: &out)
        }
        out += "</svg>"
        return out
    }

    private func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    private func link(_ href: String) -> String { "<a href=\"\(HTML.escape(basePath + href))\">" }

    private func drawAxis(into out: inout String, height: Double) {
        let span = until.microseconds - since.microseconds
        let step = Self.tickStep(microseconds: span)
        var t = (since.microseconds / step + 1) * step
        out += "<g class=\"axis\">"
        var drawn = 0
        while t < until.microseconds && drawn < 40 {
            let ts = Timestamp(microsecondsSinceEpoch: t)
            let px = fmt(x(ts))
            out += "<line class=\"grid\" x1=\"\(px)\" x2=\"\(px)\" y1=\"22\" y2=\"\(fmt(height))\"/>"
            out += "<text class=\"tick\" x=\"\(px)\" y=\"16\" text-anchor=\"middle\">\(Self.tickLabel(ts, step: step))</text>"
            t += step
            drawn += 1
        }
        out += "</g>"
    }

    /// A tick interval that gives between about 4 and 12 ticks over `span`.
    static func tickStep(microseconds span: Int64) -> Int64 {
        let steps: [Int64] = [
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
            172_800, 604_800, 2_592_000, 7_776_000, 31_536_000,
        ].map { $0 * 1_000_000 }
        return steps.first { span / $0 <= 10 } ?? steps.last!
    }

    /// A tick's label in UTC: the time of day when the step is under a day, else the date.
    static func tickLabel(_ t: Timestamp, step: Int64) -> String {
        let f = t.utcFields
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if step < 60_000_000 { return "\(two(f.hour)):\(two(f.minute)):\(two(f.second))Z" }
        if step < 86_400_000_000 {
            return (f.hour == 0 && f.minute == 0 ? "\(f.year)-\(two(f.month))-\(two(f.day)) " : "") + "\(two(f.hour)):\(two(f.minute))Z"
        }
        return "\(f.year)-\(two(f.month))-\(two(f.day))"
    }

    private func drawGaps(into out: inout String, top: Double, height: Double) {
        for gap in gaps where gap.to >= since && gap.from <= until {
            let x0 = x(gap.from), x1 = max(x(gap.to), x0 + 2)
            out += link("/ui/events?seq=\(gap.seq)")
            out +=
                "<g class=\"gap\" data-seq=\"\(gap.seq)\"><title>\(HTML.escape("coverage gap of \(gap.source): \(gap.from.rfc3339) – \(gap.to.rfc3339); \(gap.reason). History may be missing here."))</title>"
            out +=
                "<rect x=\"\(fmt(x0))\" y=\"\(fmt(top))\" width=\"\(fmt(x1 - x0))\" height=\"\(fmt(height))\" fill=\"url(#gap-hatch)\" class=\"gap-band\"/>"
            out += "</g></a>"
        }
    }

    private func drawHold(_ hold: HoldBar, top: Double, into out: inout String) {
        let kind = hold.released == nil ? "held" : (hold.releaseKind ?? "unknown")
        let y = fmt(top), h = fmt(Self.barHeight)
        let outerStart = x(hold.outerStart ?? since)
        let innerStart = hold.innerStart.map(x)
        let innerEnd = hold.innerEnd.map(x)
        let outerEnd = x(hold.outerEnd ?? until)
        var title = "\(hold.who ?? "unknown holder") · \(hold.operation ?? "unknown operation")\nlock \(hold.lockID)"
        title +=
            "\nacquired \(Self.describe(hold.acquired))\nreleased \(hold.released == nil ? "not yet (still held)" : Self.describe(hold.released))"
        if hold.released == nil { title += "\ncertainly held until \(hold.seenHeldUntil?.rfc3339 ?? "unknown") (last seen)" }
        title += "\nends \(kind)"
        if kind == "forced" { title += " by \(hold.forcedBy ?? "unknown actor")" + (hold.forceReason.map { ": \($0)" } ?? "") }
        out += link("/ui/hold?lock_id=\(HTML.query(hold.lockID))")
        out += "<g class=\"hold hold-\(kind)\" data-lock-id=\"\(HTML.escape(hold.lockID))\"><title>\(HTML.escape(title))</title>"
        // Certain part: from the acquire's latest bound to the release's earliest (or last sighting).
        if let a = innerStart, let b = innerEnd, b >= a {
            if a > outerStart { out += rect(outerStart, a, y: y, h: h, cls: "uncertain") }
            out += rect(a, max(b, a + 1.5), y: y, h: h, cls: "certain")
            if outerEnd > b { out += rect(b, outerEnd, y: y, h: h, cls: "uncertain") }
        } else {
            // Never certainly held (no acquire seen, or bounds that overlap): all of it is possible only.
            out += rect(outerStart, max(outerEnd, outerStart + 1.5), y: y, h: h, cls: "uncertain")
        }
        if hold.released == nil {
            out +=
                "<text class=\"end-note\" x=\"\(fmt(min(outerEnd - 2, Self.width - Self.right)))\" y=\"\(fmt(top + 13))\" text-anchor=\"end\">held →</text>"
        }
        if kind == "forced" {
            let ex = fmt(outerEnd)
            out += "<path class=\"forced-mark\" d=\"M\(ex) \(fmt(top - 2)) l6 \(fmt(Self.barHeight / 2 + 2)) l-6 \(fmt(Self.barHeight / 2 + 2)) z\"/>"
        }
        let labelStart = innerStart ?? outerStart
        let labelWidth = (innerEnd ?? outerEnd) - labelStart
        if labelWidth > 70 {
            var label = hold.who ?? "?"
            if let op = hold.operation { label += " · " + op.replacingOccurrences(of: "OperationType", with: "").lowercased() }
            if kind == "forced" { label += " · forced by \(hold.forcedBy ?? "?")" }
            let chars = max(4, Int(labelWidth / 6.5))
            if label.count > chars { label = String(label.prefix(chars - 1)) + "…" }
            out += "<text class=\"bar-label\" x=\"\(fmt(labelStart + 4))\" y=\"\(fmt(top + 13))\">\(HTML.escape(label))</text>"
        }
        out += "</g></a>"
    }

    private func rect(_ a: Double, _ b: Double, y: String, h: String, cls: String) -> String {
        "<rect class=\"\(cls)\" x=\"\(fmt(a))\" y=\"\(y)\" width=\"\(fmt(max(0.5, b - a)))\" height=\"\(h)\" rx=\"2\"\(cls == "uncertain" ? " fill=\"url(#hatch)\"" : "")/>"
    }

    private func drawWrite(_ write: WriteTick, top: Double, into out: inout String) {
        let latest = x(write.time.latest)
        let earliest = write.time.earliest.map(x) ?? x(since)
        var title = "write #\(write.seq) · \(write.status)"
        if let serial = write.serial { title += " · serial \(serial)" }
        if let lock = write.lockID { title += "\nunder \(write.who ?? "?") (lock \(lock))" }
        title += "\nwritten \(Self.describe(write.time))\n\(write.reason)"
        if write.serialRegression {
            title += "\nSERIAL REGRESSION: \(write.previousSerial.map(String.init) ?? "?") → \(write.serial.map(String.init) ?? "?")"
        }
        if write.lineageChanged { title += "\nlineage changed" }
        out += link("/ui/events?seq=\(write.evidence.map(String.init).joined(separator: ","))")
        out +=
            "<g class=\"write write-\(write.status)\(write.serialRegression ? " serial-regression" : "")\" data-seq=\"\(write.seq)\"><title>\(HTML.escape(title))</title>"
        let base = top + Self.writesHeight - 8
        if latest - earliest >= 1 {
            out += "<rect class=\"write-span\" x=\"\(fmt(earliest))\" y=\"\(fmt(base - 4))\" width=\"\(fmt(latest - earliest))\" height=\"4\"/>"
        }
        let mid = write.time.exact.map(x) ?? (earliest + latest) / 2
        let tall = write.status == "unlocked" ? 30.0 : 20.0
        out += "<line class=\"tick-line\" x1=\"\(fmt(mid))\" x2=\"\(fmt(mid))\" y1=\"\(fmt(base - tall))\" y2=\"\(fmt(base))\"/>"
        // A wide invisible target, so a thin tick is easy to hover and click.
        out += "<rect class=\"hit\" x=\"\(fmt(mid - 4))\" y=\"\(fmt(base - tall))\" width=\"8\" height=\"\(fmt(tall + 4))\"/>"
        if write.status == "unlocked" {
            out += "<path class=\"unlocked-mark\" d=\"M\(fmt(mid)) \(fmt(base - tall - 10)) l6 10 l-12 0 z\"/>"
            out += "<text class=\"unlocked-label\" x=\"\(fmt(mid + 8))\" y=\"\(fmt(base - tall))\">unlocked</text>"
        }
        if write.serialRegression {
            out += "<text class=\"regression-label\" x=\"\(fmt(mid + 3))\" y=\"\(fmt(base + 0))\" dy=\"-2\">↓serial</text>"
        }
        out += "</g></a>"
    }

    private func drawMark(_ mark: Mark, y: Double, into out: inout String) {
        let mx = fmt(x(mark.time.exact ?? mark.time.latest))
        out += link("/ui/events?seq=\(mark.seq)")
        out +=
            "<g class=\"mark mark-\(mark.kind.rawValue)\" data-seq=\"\(mark.seq)\"><title>\(HTML.escape(mark.label + "\n" + Self.describe(mark.time)))</title>"
        switch mark.kind {
        case .contention:
            out += "<path d=\"M\(mx) \(fmt(y - 7)) l7 7 l-7 7 l-7 -7 z\"/>"
        case .force:
            out +=
                "<circle cx=\"\(mx)\" cy=\"\(fmt(y))\" r=\"6\"/><text x=\"\(mx)\" y=\"\(fmt(y + 4))\" text-anchor=\"middle\" class=\"mark-glyph\">F</text>"
        case .releaseFailed:
            out += "<rect x=\"\(fmt(x(mark.time.latest) - 5))\" y=\"\(fmt(y - 5))\" width=\"10\" height=\"10\"/>"
        }
        out += "</g></a>"
    }

    static func describe(_ t: EventTime?) -> String {
        switch t {
        case nil: return "unknown"
        case .exact(let at)?: return at.rfc3339
        case .between(let after, let notAfter)?: return "between \(after?.rfc3339 ?? "unknown") and \(notAfter.rfc3339) (bounds only)"
        }
    }
}
