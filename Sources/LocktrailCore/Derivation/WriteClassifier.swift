/// Matches state writes to the holds of their state, and flags serial regressions and lineage
/// changes. A write is:
/// - `locked` (with its `lock_id`) only when exactly one hold's times fit it and that hold was
///   certainly held for the write's whole time window;
/// - `ambiguous` (with `candidates`, no `lock_id`) when holds' times fit it without proving one;
/// - `unlocked` only when no hold's times fit it, the state's lock history is complete there
///   (lock-file version history from before it, and no DynamoDB locking, whose scans miss short
///   locks), and no coverage gap touches it;
/// - `unknown` otherwise, with the reason.
struct WriteClassifier {
    let holds: [Hold]
    let gaps: [CoverageGap]
    let versionHistorySince: [String: Timestamp]
    let dynamoDBStates: Set<String>

    func classify(_ stateWrites: [SequencedEvent]) -> [StateWrite] {
        var holdsByState: [String: [Hold]] = [:]
        for hold in holds {
            for state in [hold.state].compactMap({ $0 }) + hold.otherStates { holdsByState[state, default: []].append(hold) }
        }
        var out: [StateWrite] = []
        var lastSerial: [String: Int64] = [:]
        var lastLineage: [String: String] = [:]
        let (seen, twins) = pairedWrites(stateWrites)
        // Serial and lineage are compared in time order (backfilled versions arrive late in the log).
        let ordered = seen.sorted { (DerivationRules.modelled($0.event).latest, $0.seq) < (DerivationRules.modelled($1.event).latest, $1.seq) }
        for e in ordered {
            let state = e.event.state!
            var write = classify(e, holds: holdsByState[state] ?? [])
            if let twin = twins[e.seq] { write.absorb(twin) }
            if let serial = write.serial {
                if let previous = lastSerial[state], serial < previous {
                    write.serialRegression = true
                    write.previousSerial = previous
                }
                lastSerial[state] = serial
            }
            if let lineage = write.lineage {
                if let previous = lastLineage[state], previous != lineage {
                    write.lineageChanged = true
                    write.previousLineage = previous
                }
                lastLineage[state] = lineage
            }
            out.append(write)
        }
        return out.sorted { $0.seq < $1.seq }
    }

    /// One upload seen twice is one write: terraform writes the `-md5` digest of the state bytes
    /// to DynamoDB right after uploading them, and the S3 object's ETag is that same MD5 (for
    /// single-part uploads without KMS). Each digest write is paired with the S3 write of the
    /// same state, same MD5 and a compatible time; of a pair, the one known more precisely is
    /// classified and the other becomes its twin. Returns the writes to classify and, by seq, their twins.
    private func pairedWrites(_ stateWrites: [SequencedEvent]) -> (seen: [SequencedEvent], twins: [Int64: SequencedEvent]) {
        func md5(_ e: SequencedEvent, _ field: String) -> String? {
            guard let value = e.event.details[field]?.stringValue?.lowercased(), value.count == 32,
                value.allSatisfy(\.isHexDigit)
            else { return nil }
            return value
        }
        var objects: [String: [SequencedEvent]] = [:]
        for e in stateWrites where e.event.mechanism == .s3State {
            if let etag = md5(e, "etag") { objects[e.event.state! + "|" + etag, default: []].append(e) }
        }
        guard !objects.isEmpty else { return (stateWrites, [:]) }
        var twins: [Int64: SequencedEvent] = [:]
        var absorbed = Set<Int64>()
        for d in stateWrites where d.event.mechanism == .dynamodb {
            guard let digest = md5(d, "digest") else { continue }
            let window = d.event.time
            let candidates = (objects[d.event.state! + "|" + digest] ?? []).filter { o in
                guard !absorbed.contains(o.seq), twins[o.seq] == nil else { return false }
                let time = DerivationRules.modelled(o.event)
                let from = window.earliest.map { $0.adding(seconds: -5) }
                return (from.map { time.latest >= $0 } ?? true) && (time.earliest ?? time.latest) <= window.latest.adding(seconds: 1)
            }
            guard
                let object = candidates.min(by: {
                    abs($0.event.time.latest.secondsSinceEpoch - window.latest.secondsSinceEpoch)
                        < abs($1.event.time.latest.secondsSinceEpoch - window.latest.secondsSinceEpoch)
                })
            else { continue }
            let (primary, twin) = window.isMorePrecise(than: DerivationRules.modelled(object.event)) ? (d, object) : (object, d)
            twins[primary.seq] = twin
            absorbed.insert(twin.seq)
        }
        return (stateWrites.filter { !absorbed.contains($0.seq) }, twins)
    }

    private func classify(_ e: SequencedEvent, holds: [Hold]) -> StateWrite {
        let event = e.event, d = event.details
        let time = DerivationRules.modelled(event)
        var write = StateWrite(
            seq: e.seq, state: event.state!, workspace: event.workspace, source: event.source, mechanism: event.mechanism,
            time: time, digest: d["digest"]?.stringValue, etag: d["etag"]?.stringValue, versionID: d["version_id"]?.stringValue,
            serial: d["serial"]?.numberValue.map { Int64($0) }, lineage: d["lineage"]?.stringValue,
            baseline: d["baseline"] == .bool(true), status: .unknown, match: nil, lockID: nil, who: nil, reason: "",
            serialRegression: false, lineageChanged: false, previousSerial: nil, previousLineage: nil,
            sources: [event.source], evidence: [Evidence(e, note: "state written")])
        if write.baseline {
            write.reason = "written before the source first looked: nothing is known about locks then"
            return write
        }
        let from = time.earliest, to = time.latest
        let candidates = holds.filter { $0.possiblyHeld(from: from, to: to) }.sorted { $0.lockID < $1.lockID }
        write.candidates = candidates.map(\.lockID)
        if candidates.count == 1, let only = candidates.first, only.state == write.state, let from,
            let start = only.certainStart, start <= from, only.certainEnd.map({ $0 >= to }) == true
        {
            write.status = .locked
            write.match = "certain"
            write.lockID = only.lockID
            write.who = only.who
            write.reason = "lock \(only.lockID) was held for the whole time the write can have happened in"
            return write
        }
        if !candidates.isEmpty {
            write.status = .ambiguous
            write.reason =
                candidates.count == 1
                ? "lock \(candidates[0].lockID) may have been held then: their times overlap but do not prove it"
                : "\(candidates.count) locks may have been held then; the times do not tell which"
            return write
        }
        guard let from else {
            write.reason = "no lock was seen then, but the write's time has no lower bound"
            return write
        }
        if dynamoDBStates.contains(write.state) {
            write.reason = "no lock was seen then, but this state locks through DynamoDB, whose scans can miss a lock shorter than their interval"
            return write
        }
        guard let since = versionHistorySince[write.state], since <= from else {
            write.reason = "no lock was seen then, but no lock-file version history covers this state at that time"
            return write
        }
        if let gap = gaps.first(where: { $0.concerns(write.state) && $0.overlaps(time) }) {
            write.reason = "no lock was seen then, but \(gap.source) did not observe from \(gap.from.rfc3339) to \(gap.to.rfc3339)"
            write.evidence.append(
                Evidence(
                    SequencedEvent(
                        seq: gap.seq,
                        event: Event(
                            key: "", kind: .coverageGap, source: gap.source, time: .between(after: gap.from, notAfter: gap.to),
                            observedAt: gap.to)), note: "coverage gap"))
            return write
        }
        write.status = .unlocked
        write.reason =
            "the lock-file version history of this state since \(since.rfc3339) shows no lock held "
            + (time.exact.map { "at \($0.rfc3339)" } ?? "in the write's \(time.precision == "second" ? "second" : "time bounds")")
        return write
    }
}
