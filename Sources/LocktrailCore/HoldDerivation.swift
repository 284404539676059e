/// What the derivation produces from a run of events.
public struct DerivedRecords: Hashable, Sendable {
    /// One hold per lock ID, sorted by lock ID.
    public var holds: [Hold]
    /// One write per `state.written` event, in log order.
    public var writes: [StateWrite]
}

/// Derives holds and writes from events (design.md §3–4). A pure function of the events it is
/// given, folded in `seq` order: the incremental path and `locktrail rebuild` call the same code
/// on the same events, so they cannot disagree.
///
/// Rules, each a test in `HoldDerivationTests`:
/// - one hold per lock ID, merging every source and mechanism; acquire and release times come
///   from the most precise evidence (exact beats bounds; tighter bounds beat looser);
/// - a hold is released when every mechanism that saw it acquired saw it go (or its table went
///   missing, listing it);
/// - `forced` needs evidence: a force-unlock of that ID, a failed release by its holder, or a
///   heartbeat of its holder's run after the lock had gone; `unknown` when the only end seen is a
///   missing table; `released` otherwise;
/// - a write is `locked` when a hold on its state may have been held at its time (`match`
///   says `certain` or `possible`), `unlocked` only when its time is exact, the state's locks are
///   seen by an exact source (lock-file versions) since before it, no coverage gap touches it and
///   no hold can contain it; `unknown` otherwise.
public enum HoldDerivation {
    /// Derives the holds and writes that `events` (in `seq` order) describe.
    public static func derive(_ events: [SequencedEvent]) -> DerivedRecords {
        var folder = Folder()
        for event in events { folder.fold(event) }
        let holds = folder.holds()
        let writes = folder.writes(holds: holds)
        return DerivedRecords(holds: holds, writes: writes)
    }

    /// Kinds whose events concern no single state but can change the records of many: the
    /// derivation of one state needs them all.
    public static let globalKinds: [EventKind] = [.coverageGap, .sourceTableMissing, .sourceTableRestored]
}

/// The accumulated facts, per lock ID, state and run.
private struct Folder {
    struct LockFacts {
        var first: SequencedEvent
        var acquires: [(mechanism: String, time: EventTime)] = []
        var releases: [(mechanism: String, time: EventTime)] = []
        var tableMissing: [SequencedEvent] = []
        var forceUnlocks: [SequencedEvent] = []
        var releaseFailures: [SequencedEvent] = []
        var evidence: [Evidence] = []
        var sources: Set<String> = []
        var mechanisms: Set<String> = []
        var details: [String: JSONValue] = [:]
        var state: String?
        var workspace: String?
        var runID: String?
    }

    var locks: [String: LockFacts] = [:]
    var runs: [String: [SequencedEvent]] = [:]
    /// Runs named with a lock ID by any event (hooks know which lock their run took).
    var runOfLock: [String: String] = [:]
    /// Run events that name a lock ID: part of that hold's evidence.
    var runEvidence: [String: [Evidence]] = [:]
    /// Failed releases that name no lock (a lock file's), by run.
    var namelessReleaseFailures: [String: [SequencedEvent]] = [:]
    var stateWrites: [SequencedEvent] = []
    var gaps: [CoverageGap] = []
    /// Per state, the earliest exact lock-file observation per source: exact lock history from then on.
    var exactLockHistory: [String: Timestamp] = [:]

    mutating func fold(_ e: SequencedEvent) {
        let event = e.event
        if let runID = event.details["run_id"]?.stringValue {
            runs[runID, default: []].append(e)
            // Only the holder's own events say its run took the lock: a run.* event naming it, or
            // its failed release. A blocked run (lock.contended) or a force-unlocker's run does not.
            if let lockID = event.lockID, runOfLock[lockID] == nil,
               event.kind.rawValue.hasPrefix("run.") || event.kind == .lockReleaseFailed {
                runOfLock[lockID] = runID
            }
            if let lockID = event.lockID, event.kind.rawValue.hasPrefix("run.") {
                runEvidence[lockID, default: []].append(Evidence(e, note: "the run \(runID) that took this lock: \(event.kind.rawValue)"))
            }
        }
        switch event.kind {
        case .lockAcquired, .lockReleased, .lockForceUnlocked, .lockReleaseFailed, .lockContended:
            guard let lockID = event.lockID else {
                // A lock file's failed release names no lock: it is the lock its run held.
                if event.kind == .lockReleaseFailed, let runID = event.details["run_id"]?.stringValue {
                    namelessReleaseFailures[runID, default: []].append(e)
                }
                return
            }
            var facts = locks[lockID] ?? LockFacts(first: e)
            facts.state = facts.state ?? event.state
            facts.workspace = facts.workspace ?? event.workspace
            let mechanism = event.mechanism ?? event.source
            switch event.kind {
            case .lockAcquired:
                facts.acquires.append((mechanism, event.time))
                facts.mechanisms.insert(mechanism)
                facts.sources.insert(event.source)
                mergeRecord(event.details, into: &facts)
                facts.evidence.append(Evidence(e, note: "\(mechanism) lock appeared"))
                noteExactHistory(e)
            case .lockReleased:
                facts.releases.append((mechanism, event.time))
                facts.mechanisms.insert(mechanism)
                facts.sources.insert(event.source)
                mergeRecord(event.details, into: &facts)
                let reason = event.details["reason"]?.stringValue ?? "disappeared"
                facts.evidence.append(Evidence(e, note: "\(mechanism) lock \(reason)"))
                noteExactHistory(e)
            case .lockForceUnlocked:
                facts.forceUnlocks.append(e)
                facts.sources.insert(event.source)
                facts.evidence.append(Evidence(e, note: "force-unlock of this lock ID by \(Self.actor(event.details) ?? "an unknown actor")"))
            case .lockReleaseFailed:
                facts.releaseFailures.append(e)
                facts.sources.insert(event.source)
                facts.evidence.append(Evidence(e, note: "the holder failed to release: the lock had been removed"))
            default:
                facts.sources.insert(event.source)
                mergeRecord(event.details, into: &facts)
                facts.evidence.append(Evidence(e, note: "a run was blocked by this lock"))
            }
            locks[lockID] = facts
        case .sourceTableMissing:
            for case .string(let lockID) in event.details["held_lock_ids"].flatMap(Self.array) ?? [] {
                guard var facts = locks[lockID] else { continue }
                facts.tableMissing.append(e)
                facts.evidence.append(Evidence(e, note: "the lock table went missing while this lock was in it"))
                locks[lockID] = facts
            }
        case .coverageGap:
            if let from = event.details["from"]?.stringValue.flatMap(Timestamp.init(parsing:)),
               let to = event.details["to"]?.stringValue.flatMap(Timestamp.init(parsing:)) {
                gaps.append(CoverageGap(source: event.source, from: from, to: to, seq: e.seq))
            }
        case .stateWritten:
            if event.state != nil { stateWrites.append(e) }
        default:
            break
        }
    }

    /// Lock-file events with exact times come from object versions: complete history for the state.
    private mutating func noteExactHistory(_ e: SequencedEvent) {
        guard e.event.mechanism == "s3-lockfile", let t = e.event.time.exact, let state = e.event.state else { return }
        if exactLockHistory[state].map({ t < $0 }) ?? true { exactLockHistory[state] = t }
    }

    private func mergeRecord(_ details: JSONValue, into facts: inout LockFacts) {
        for key in ["who", "operation", "version", "created"] where facts.details[key] == nil {
            if let value = details[key]?.stringValue { facts.details[key] = .string(value) }
        }
    }

    static func actor(_ details: JSONValue) -> String? {
        details["actor"]?.stringValue ?? details["who"]?.stringValue ?? details["user"]?.stringValue
    }

    static func array(_ value: JSONValue) -> [JSONValue]? {
        if case .array(let a) = value { return a }
        return nil
    }

    func holds() -> [Hold] {
        let wrapped = wrappedRuns()
        var links: [String: RunLink] = [:]
        for (lockID, facts) in locks {
            if let runID = runOfLock[lockID] {
                links[lockID] = RunLink(runID: runID, evidence: nil)
            } else if let run = owner(state: facts.state, who: facts.details["who"]?.stringValue,
                                      created: facts.details["created"]?.stringValue.flatMap(Timestamp.init(parsing:)),
                                      acquired: EventTime.mostPrecise(facts.acquires.map(\.time)), wrapped: wrapped) {
                links[lockID] = RunLink(runID: run.id, evidence: Evidence(
                    run.started, note: "the wrapped run \(run.id) that took this lock: same state and Who, running when it was created"))
            }
        }
        // A failed release that names no lock is about the lock its run took last before it.
        var failures: [String: [SequencedEvent]] = [:]
        for (runID, nameless) in namelessReleaseFailures {
            let held = links.filter { $0.value.runID == runID }.keys.compactMap { lockID -> (String, Timestamp)? in
                EventTime.mostPrecise(locks[lockID]!.acquires.map(\.time)).map { (lockID, $0.latest) }
            }
            for failure in nameless {
                let before = held.filter { $0.1 <= failure.event.time.latest }
                if let lockID = before.max(by: { ($0.1, $0.0) < ($1.1, $1.0) })?.0 { failures[lockID, default: []].append(failure) }
            }
        }
        return locks.keys.sorted().map { lockID in
            var facts = locks[lockID]!
            facts.runID = links[lockID]?.runID
            if let linked = links[lockID]?.evidence { facts.evidence.append(linked) }
            for failure in failures[lockID] ?? [] {
                facts.releaseFailures.append(failure)
                facts.evidence.append(Evidence(failure, note: "the holder's run failed to release its lock: the lock had been removed"))
            }
            return hold(lockID: lockID, facts: facts)
        }
    }

    /// The run that took a lock, and the evidence when it was found by state, Who and time.
    struct RunLink {
        var runID: String
        var evidence: Evidence?
    }

    /// A wrapped run as the matching of holds to runs needs it.
    struct WrappedRun {
        var id: String
        var started: SequencedEvent
        var finishedAt: Timestamp?
    }

    /// The runs that reported their start, by state and `Who` (what terraform writes in the lock).
    private func wrappedRuns() -> [String: [WrappedRun]] {
        var out: [String: [WrappedRun]] = [:]
        for (id, events) in runs {
            guard let started = events.first(where: { $0.event.kind == .runStarted }), let state = started.event.state,
                  let who = started.event.details["who"]?.stringValue, !who.isEmpty else { continue }
            let finishedAt = events.first(where: { $0.event.kind == .runFinished })?.event.time.latest
            out[state + "\u{0}" + who, default: []].append(WrappedRun(id: id, started: started, finishedAt: finishedAt))
        }
        return out
    }

    /// The wrapped run that took a lock no event names it with: on the same state, by the same
    /// `Who`, started before the lock's `Created` (both read off the run's own clock) and not
    /// finished before it; of several, the latest to start. A second of slack for clocks and rounding.
    private func owner(state: String?, who: String?, created: Timestamp?, acquired: EventTime?,
                       wrapped: [String: [WrappedRun]]) -> WrappedRun? {
        guard let state, let who, let moment = created ?? acquired?.latest,
              let candidates = wrapped[state + "\u{0}" + who] else { return nil }
        return candidates
            .filter { run in
                run.started.event.time.latest <= moment.adding(seconds: 1)
                    && (run.finishedAt.map { $0 >= moment.adding(seconds: -1) } ?? true)
            }
            .max { ($0.started.event.time.latest, $0.id) < ($1.started.event.time.latest, $1.id) }
    }

    private func hold(lockID: String, facts: LockFacts) -> Hold {
        let acquired = EventTime.mostPrecise(facts.acquires.map(\.time))
        let acquiredBy = Set(facts.acquires.map(\.mechanism))
        let releasedBy = Set(facts.releases.map(\.mechanism))
        let everyMechanismGone = acquiredBy.isEmpty ? !releasedBy.isEmpty : acquiredBy.isSubset(of: releasedBy)
        var released: EventTime?
        var kind: ReleaseKind?
        var evidence = facts.evidence + (runEvidence[lockID] ?? [])
        if everyMechanismGone {
            released = EventTime.mostPrecise(facts.releases.map(\.time))
            kind = .released
        } else if !facts.tableMissing.isEmpty {
            // The table (and the lock in it) vanished without a release being seen.
            released = EventTime.mostPrecise(facts.releases.map(\.time) + facts.tableMissing.map(\.event.time))
            kind = facts.releases.isEmpty ? .unknown : .released
        }
        var forcedBy: String?, forceReason: String?
        if let released {
            if let force = facts.forceUnlocks.first {
                kind = .forced
                forcedBy = Self.actor(force.event.details)
                forceReason = force.event.details["reason"]?.stringValue
            } else if !facts.releaseFailures.isEmpty {
                kind = .forced
            } else if let runID = facts.runID, let events = runs[runID],
                      // A run that went on to succeed released its lock itself (a removed lock fails the release).
                      !events.contains(where: { $0.event.kind == .runFinished && $0.event.details["exit_code"] == 0 }),
                      let alive = events.first(where: { $0.event.kind == .runHeartbeat && ($0.event.time.earliest ?? $0.event.time.latest) > released.latest }) {
                kind = .forced
                evidence.append(Evidence(alive, note: "the holder's run was alive after the lock had gone"))
            }
        } else if let failure = facts.releaseFailures.first {
            // The holder found its lock gone although no source saw it go: it ended by then, forced.
            released = .between(after: acquired?.latest, notAfter: failure.event.time.latest)
            kind = .forced
        }
        if facts.forceUnlocks.isEmpty == false, released == nil {
            // A force-unlock not (yet) followed by a disappearance proves nothing about the end.
            forceReason = nil
        }
        let d = facts.details
        return Hold(
            lockID: lockID, state: facts.state, workspace: facts.workspace, who: d["who"]?.stringValue,
            operation: d["operation"]?.stringValue, version: d["version"]?.stringValue,
            createdAt: d["created"]?.stringValue.flatMap(Timestamp.init(parsing:)), acquired: acquired, released: released,
            releaseKind: kind, forcedBy: forcedBy, forceReason: forceReason, runID: facts.runID,
            sources: facts.sources.sorted(), mechanisms: facts.mechanisms.sorted(), evidence: evidence.sorted { $0.seq < $1.seq })
    }

    func writes(holds: [Hold]) -> [StateWrite] {
        var holdsByState: [String: [Hold]] = [:]
        for hold in holds { if let state = hold.state { holdsByState[state, default: []].append(hold) } }
        var out: [StateWrite] = []
        var lastSerial: [String: Int64] = [:]
        var lastLineage: [String: String] = [:]
        let (seen, twins) = pairedWrites()
        // Serial and lineage are compared in time order (backfilled versions arrive late in the log).
        let ordered = seen.sorted { ($0.event.time.latest, $0.seq) < ($1.event.time.latest, $1.seq) }
        for e in ordered {
            let event = e.event
            let state = event.state!
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
    /// same state, same MD5 and a compatible time (S3 times are whole seconds); of a pair, the
    /// one known more precisely is classified and the other becomes its twin. Returns the writes
    /// to classify and, by seq, their twins.
    private func pairedWrites() -> (seen: [SequencedEvent], twins: [Int64: SequencedEvent]) {
        func md5(_ e: SequencedEvent, _ field: String) -> String? {
            guard let value = e.event.details[field]?.stringValue?.lowercased(), value.count == 32,
                  value.allSatisfy(\.isHexDigit) else { return nil }
            return value
        }
        var objects: [String: [SequencedEvent]] = [:]
        for e in stateWrites where e.event.mechanism == "s3-state" {
            if let etag = md5(e, "etag") { objects[e.event.state! + "|" + etag, default: []].append(e) }
        }
        guard !objects.isEmpty else { return (stateWrites, [:]) }
        var twins: [Int64: SequencedEvent] = [:]
        var absorbed = Set<Int64>()
        for d in stateWrites where d.event.mechanism == "dynamodb" {
            guard let digest = md5(d, "digest") else { continue }
            let window = d.event.time
            let candidates = (objects[d.event.state! + "|" + digest] ?? []).filter { o in
                guard !absorbed.contains(o.seq), twins[o.seq] == nil else { return false }
                let from = window.earliest.map { $0.adding(seconds: -5) }
                return (from.map { o.event.time.latest >= $0 } ?? true)
                    && (o.event.time.earliest ?? o.event.time.latest) <= window.latest.adding(seconds: 1)
            }
            guard let object = candidates.min(by: {
                abs($0.event.time.latest.secondsSinceEpoch - window.latest.secondsSinceEpoch)
                    < abs($1.event.time.latest.secondsSinceEpoch - window.latest.secondsSinceEpoch)
            }) else { continue }
            let (primary, twin) = window.isMorePrecise(than: object.event.time) ? (d, object) : (object, d)
            twins[primary.seq] = twin
            absorbed.insert(twin.seq)
        }
        return (stateWrites.filter { !absorbed.contains($0.seq) }, twins)
    }

    private func classify(_ e: SequencedEvent, holds: [Hold]) -> StateWrite {
        let event = e.event, d = event.details
        var write = StateWrite(
            seq: e.seq, state: event.state!, workspace: event.workspace, source: event.source, mechanism: event.mechanism,
            time: event.time, digest: d["digest"]?.stringValue, etag: d["etag"]?.stringValue, versionID: d["version_id"]?.stringValue,
            serial: d["serial"]?.numberValue.map { Int64($0) }, lineage: d["lineage"]?.stringValue,
            baseline: d["baseline"] == .bool(true), status: .unknown, match: nil, lockID: nil, who: nil, reason: "",
            serialRegression: false, lineageChanged: false, previousSerial: nil, previousLineage: nil,
            sources: [event.source], evidence: [Evidence(e, note: "state written")])
        if write.baseline {
            write.reason = "written before the source first looked: nothing is known about locks then"
            return write
        }
        let from = event.time.earliest, to = event.time.latest
        if let certain = holds.first(where: { hold in
            guard let start = hold.certainStart, let from, start <= from else { return false }
            return hold.isHeld || hold.certainEnd.map { $0 >= to } == true
        }) {
            write.status = .locked
            write.match = "certain"
            write.lockID = certain.lockID
            write.who = certain.who
            write.reason = "lock \(certain.lockID) was held for the whole time the write can have happened in"
            return write
        }
        let candidates = holds.filter { $0.acquired != nil && $0.possiblyHeld(from: from, to: to) }
        if let possible = candidates.first {
            write.status = .locked
            write.match = "possible"
            write.lockID = possible.lockID
            write.who = possible.who
            write.reason = candidates.count == 1
                ? "lock \(possible.lockID) may have been held then: their times overlap but do not prove it"
                : "\(candidates.count) locks may have been held then; the times do not tell which"
            return write
        }
        guard let at = event.time.exact else {
            write.reason = "no lock was seen then, but the write's time is only known within bounds"
            return write
        }
        guard let since = exactLockHistory[write.state], since <= at else {
            write.reason = "no lock was seen then, but no source with exact lock history covers this state at that time"
            return write
        }
        if let gap = gaps.first(where: { $0.overlaps(event.time) }) {
            write.reason = "no lock was seen then, but \(gap.source) did not observe from \(gap.from.rfc3339) to \(gap.to.rfc3339)"
            write.evidence.append(Evidence(SequencedEvent(seq: gap.seq, event: Event(
                key: "", kind: .coverageGap, source: gap.source, time: .between(after: gap.from, notAfter: gap.to),
                observedAt: gap.to)), note: "coverage gap"))
            return write
        }
        write.status = .unlocked
        write.reason = "exact lock history of this state since \(since.rfc3339) shows no lock held at \(at.rfc3339)"
        return write
    }
}
