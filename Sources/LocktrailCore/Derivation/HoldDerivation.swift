/// What the derivation produces from a run of events.
public struct DerivedRecords: Hashable, Sendable {
    /// One hold per lock ID a source saw, sorted by lock ID.
    public var holds: [Hold]
    /// One write per `state.written` event (the same upload seen twice is one), in log order.
    public var writes: [StateWrite]
}

/// Derives holds and writes from events (design.md §3–4). A pure function of the events it is
/// given, folded in `seq` order: the incremental path and `locktrail rebuild` call the same code
/// on the same events, so they cannot disagree. Nothing is claimed beyond its evidence.
///
/// Rules, each a case in `HoldDerivationTests`, and stated in the README:
/// - a hold exists only for a lock ID a source (DynamoDB, S3) saw; client reports (runs,
///   force-unlocks, failed releases, contention) attach to holds and never create one;
/// - a lock ID belongs to the state where a source first saw it; events naming it under
///   another state are anomalies, listed on the hold and never merged into it;
/// - times come from the most precise evidence; S3 times are whole seconds (`[t, t + 1 s)`);
/// - a hold ends when every mechanism that saw it acquired saw it go, or its table went
///   missing (`unknown`); a lock still in the table or bucket is held, whatever a client says;
/// - `forced` needs a proven removal (`RemovalProof`); attempts never change how a hold ended;
/// - writes: `WriteClassifier`.
public enum HoldDerivation {
    /// Derives the holds and writes that `events` (in `seq` order) describe.
    public static func derive(_ events: [SequencedEvent]) -> DerivedRecords {
        var folder = Folder()
        for event in events { folder.fold(event) }
        let holds = folder.holds()
        let writes = WriteClassifier(
            holds: holds, gaps: folder.gaps, versionHistorySince: folder.versionHistorySince,
            dynamoDBStates: folder.dynamoDBStates
        ).classify(folder.stateWrites)
        return DerivedRecords(holds: holds, writes: writes)
    }

    /// Kinds whose events concern no single state but can change the records of many: the
    /// derivation of one state needs them all (the one list is `EventKind.concernsEveryState`).
    public static var globalKinds: [EventKind] { EventKind.concernsEveryState }

    /// The events the derivation of `state` rests on, picked from `events` (in `seq` order; a
    /// superset, e.g. one read for a batch of states): the state's own events, every event naming
    /// one of its lock IDs, the events of its runs, and the global kinds. The store's
    /// `derivation_events_of_states` reads the same, so deriving a batch at once gives each state
    /// what deriving it alone would.
    public static func events(for state: String, in events: [SequencedEvent]) -> [SequencedEvent] {
        Selection(events).events(for: state)
    }

    /// `events(for:in:)` for many states of one read, indexed once: each state's selection costs
    /// its own events, not the whole read's (a batch of thousands of states stays linear).
    public struct Selection: Sendable {
        private let events: [SequencedEvent]
        private var byState: [String: [Int]] = [:]
        private var byLock: [String: [Int]] = [:]
        private var byRun: [String: [Int]] = [:]
        private var global: [Int] = []

        /// Indexes `events` (in `seq` order) by state, lock ID, run (of `run.*` events) and global kind.
        public init(_ events: [SequencedEvent]) {
            self.events = events
            let globalKinds = Set(EventKind.concernsEveryState)
            for (index, e) in events.enumerated() {
                if let state = e.event.state { byState[state, default: []].append(index) }
                if let lockID = e.event.lockID { byLock[lockID, default: []].append(index) }
                if e.event.kind.isRunKind, let runID = e.event.details["run_id"]?.stringValue {
                    byRun[runID, default: []].append(index)
                }
                if globalKinds.contains(e.event.kind) { global.append(index) }
            }
        }

        /// The events the derivation of `state` rests on, in `seq` order.
        public func events(for state: String) -> [SequencedEvent] {
            let own = byState[state] ?? []
            var lockIDs = Set<String>(), runIDs = Set<String>()
            for index in own {
                let event = events[index].event
                if let lockID = event.lockID { lockIDs.insert(lockID) }
                if let runID = event.details["run_id"]?.stringValue { runIDs.insert(runID) }
            }
            var picked = Set(own)
            picked.formUnion(global)
            for lockID in lockIDs { picked.formUnion(byLock[lockID] ?? []) }
            for runID in runIDs { picked.formUnion(byRun[runID] ?? []) }
            return picked.sorted().map { events[$0] }
        }
    }

    /// The actor a force-unlock names.
    static func actor(_ details: JSONValue) -> String? {
        details["actor"]?.stringValue ?? details["who"]?.stringValue ?? details["user"]?.stringValue
    }
}

/// The accumulated facts, per lock ID, state and run.
private struct Folder {
    /// Every event naming a lock ID, in log order, and the table-missing events that list it.
    struct LockEvents {
        var events: [SequencedEvent] = []
        var tableMissing: [SequencedEvent] = []
    }

    var locks: [String: LockEvents] = [:]
    var runs: [String: [SequencedEvent]] = [:]
    /// Runs named with a lock ID by the holder's own events (run.* naming it, its failed release).
    var runOfLock: [String: String] = [:]
    /// Failed releases that name no lock (a lock file's), by run.
    var namelessReleaseFailures: [String: [SequencedEvent]] = [:]
    var stateWrites: [SequencedEvent] = []
    var gaps: [CoverageGap] = []
    /// Per state, the earliest lock-file event from the bucket's version history: complete lock-file history from then on.
    var versionHistorySince: [String: Timestamp] = [:]
    /// States a DynamoDB source has seen (a lock or a digest): they lock through DynamoDB, whose scans can miss short locks.
    var dynamoDBStates: Set<String> = []
    /// Per state and source, the latest observation that source made of the state.
    var lastObserved: [String: Timestamp] = [:]

    mutating func fold(_ e: SequencedEvent) {
        let event = e.event
        if let runID = event.details["run_id"]?.stringValue {
            runs[runID, default: []].append(e)
            if let lockID = event.lockID, runOfLock[lockID] == nil,
                event.kind.isRunKind || event.kind == .lockReleaseFailed
            {
                runOfLock[lockID] = runID
            }
        }
        if let state = event.state, Provenance(kind: event.kind) == .observed {
            let key = state + "\u{0}" + event.source
            if lastObserved[key].map({ event.observedAt > $0 }) ?? true { lastObserved[key] = event.observedAt }
        }
        if event.mechanism == .dynamodb, let state = event.state,
            [.lockAcquired, .lockReleased, .stateWritten].contains(event.kind)
        {
            dynamoDBStates.insert(state)
        }
        switch event.kind {
        case .lockAcquired, .lockReleased, .lockForceUnlocked, .lockReleaseFailed, .lockContended:
            guard let lockID = event.lockID else {
                if event.kind == .lockReleaseFailed, let runID = event.details["run_id"]?.stringValue {
                    namelessReleaseFailures[runID, default: []].append(e)
                }
                return
            }
            locks[lockID, default: LockEvents()].events.append(e)
            if DerivationRules.isVersionHistory(event), let state = event.state {
                let t = DerivationRules.modelled(event).earliest ?? event.time.latest
                if versionHistorySince[state].map({ t < $0 }) ?? true { versionHistorySince[state] = t }
            }
        case .runStarted, .runHeartbeat, .runFinished:
            if let lockID = event.lockID { locks[lockID, default: LockEvents()].events.append(e) }
        case .sourceTableMissing:
            for case .string(let lockID) in event.details["held_lock_ids"].flatMap(Self.array) ?? [] {
                locks[lockID, default: LockEvents()].tableMissing.append(e)
            }
        case .coverageGap:
            if let from = event.details["from"]?.stringValue.flatMap(Timestamp.init(parsing:)),
                let to = event.details["to"]?.stringValue.flatMap(Timestamp.init(parsing:))
            {
                gaps.append(CoverageGap(source: event.source, from: from, to: to, seq: e.seq, state: event.state))
            }
        case .stateWritten:
            if event.state != nil { stateWrites.append(e) }
        default:
            break
        }
    }

    static func array(_ value: JSONValue) -> [JSONValue]? {
        if case .array(let a) = value { return a }
        return nil
    }

    /// A source's sighting of the lock: the only events that make a hold exist.
    static func isSighting(_ e: SequencedEvent) -> Bool {
        (e.event.kind == .lockAcquired || e.event.kind == .lockReleased) && e.event.state != nil
    }

    func holds() -> [Hold] {
        // Only lock IDs a source saw become holds; the state is where a source first saw it.
        var stateOf: [String: String] = [:]
        for (lockID, facts) in locks {
            if let first = facts.events.first(where: Self.isSighting) { stateOf[lockID] = first.event.state }
        }
        let wrapped = wrappedRuns()
        var links: [String: RunLink] = [:]
        for (lockID, state) in stateOf {
            if let runID = runOfLock[lockID] {
                links[lockID] = RunLink(runID: runID, evidence: nil)
            } else {
                let own = locks[lockID]!.events.filter { Self.isSighting($0) && $0.event.state == state }
                let acquires = own.filter { $0.event.kind == .lockAcquired }
                let record = Self.record(of: own)
                if let run = owner(
                    state: state, who: record["who"]?.stringValue,
                    created: record["created"]?.stringValue.flatMap(Timestamp.init(parsing:)),
                    acquired: EventTime.mostPrecise(acquires.map { DerivationRules.modelled($0.event) }), wrapped: wrapped)
                {
                    links[lockID] = RunLink(
                        runID: run.id,
                        evidence: Evidence(
                            run.started, note: "the wrapped run \(run.id) that took this lock: same state and Who, running when it was created"))
                }
            }
        }
        // A failed release that names no lock is about the lock its run took last before it.
        var nameless: [String: [SequencedEvent]] = [:]
        for (runID, failures) in namelessReleaseFailures {
            let held = links.filter { $0.value.runID == runID }.keys.compactMap { lockID -> (String, Timestamp)? in
                let acquires = locks[lockID]!.events.filter { $0.event.kind == .lockAcquired && $0.event.state == stateOf[lockID] }
                return EventTime.mostPrecise(acquires.map { DerivationRules.modelled($0.event) }).map { (lockID, $0.latest) }
            }
            for failure in failures {
                let before = held.filter { $0.1 <= failure.event.time.latest.adding(seconds: DerivationRules.clockSkewSeconds) }
                if let lockID = before.max(by: { ($0.1, $0.0) < ($1.1, $1.0) })?.0 { nameless[lockID, default: []].append(failure) }
            }
        }
        var derived = stateOf.keys.sorted().map { lockID in
            hold(
                lockID: lockID, state: stateOf[lockID]!, facts: locks[lockID]!, link: links[lockID],
                namelessFailures: nameless[lockID] ?? [])
        }
        Self.widenBlockedCreated(&derived, locks: locks, gaps: gaps)
        return derived
    }

    /// A DynamoDB acquire timed by the record's `Created` is exact only if nothing else can have
    /// held the state then: terraform sets `Created` once per command, and under `-lock-timeout`
    /// it keeps retrying while another lock is held, so the put may come much later. When another
    /// hold of the state may have been held at that `Created`, or a coverage gap hides what was,
    /// the acquire is only known to lie between `Created` and the scan that saw it. (A blocking lock
    /// shorter than a scan interval, with no gap, is the one case polling cannot see.)
    static func widenBlockedCreated(_ holds: inout [Hold], locks: [String: LockEvents], gaps: [CoverageGap]) {
        var byState: [String: [Int]] = [:]
        for (i, hold) in holds.enumerated() { if let state = hold.state { byState[state, default: []].append(i) } }
        for indices in byState.values {
            for i in indices {
                guard case .exact(let created)? = holds[i].acquired else { continue }
                let blocked =
                    indices.contains { j in
                        j != i && holds[j].possiblyHeld(from: created, to: created)
                            && (holds[j].possibleStart.map { $0 < created } ?? true)
                    } || gaps.contains { $0.concerns(holds[i].state) && $0.overlaps(.exact(created)) }
                guard blocked else { continue }
                // The acquires this hold rests on, with Created's exactness undone.
                let acquires = (locks[holds[i].lockID]?.events ?? []).filter {
                    $0.event.kind == .lockAcquired && $0.event.state == holds[i].state
                }.map { e -> EventTime in
                    guard e.event.details["time_basis"]?.stringValue == "created", case .exact(let t) = e.event.time else {
                        return DerivationRules.modelled(e.event)
                    }
                    return .between(after: t.adding(microseconds: -1), notAfter: e.event.observedAt)
                }
                holds[i].acquired = EventTime.mostPrecise(acquires)
            }
        }
    }

    /// The lock record's fields, from the first sighting that carries each.
    static func record(of sightings: [SequencedEvent]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for e in sightings {
            for key in ["who", "operation", "version", "created", "info"] where out[key] == nil {
                if let value = e.event.details[key]?.stringValue { out[key] = .string(value) }
            }
        }
        return out
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
                let who = started.event.details["who"]?.stringValue, !who.isEmpty
            else { continue }
            let finishedAt = events.first(where: { $0.event.kind == .runFinished })?.event.time.latest
            out[state + "\u{0}" + who, default: []].append(WrappedRun(id: id, started: started, finishedAt: finishedAt))
        }
        return out
    }

    /// The wrapped run that took a lock no event names it with: on the same state, by the same
    /// `Who`, started before the lock's `Created` (both read off the run's own clock) and not
    /// finished before it, with a second of slack for clocks and rounding — and the only such run:
    /// when several fit, the times do not tell which took it, and none is linked.
    private func owner(
        state: String, who: String?, created: Timestamp?, acquired: EventTime?,
        wrapped: [String: [WrappedRun]]
    ) -> WrappedRun? {
        guard let who, let moment = created ?? acquired?.latest, let candidates = wrapped[state + "\u{0}" + who] else { return nil }
        let fitting = candidates.filter { run in
            run.started.event.time.latest <= moment.adding(seconds: 1)
                && (run.finishedAt.map { $0 >= moment.adding(seconds: -1) } ?? true)
        }
        return fitting.count == 1 ? fitting[0] : nil
    }

    private func hold(lockID: String, state: String, facts: LockEvents, link: RunLink?, namelessFailures: [SequencedEvent]) -> Hold {
        var acquires: [(mechanism: String, time: EventTime, source: String)] = []
        var releases: [(mechanism: String, time: EventTime)] = []
        var forceUnlocks: [SequencedEvent] = []
        var releaseFailures: [SequencedEvent] = namelessFailures
        var evidence: [Evidence] = []
        var sources = Set<String>(), mechanisms = Set<String>()
        var otherStates = Set<String>()
        var anomalies: [String] = []
        var own: [SequencedEvent] = []
        var workspace: String?

        for e in facts.events {
            let event = e.event
            // A lock ID is one state's: what names it under another is reported, not merged.
            if let other = event.state, other != state {
                if Self.isSighting(e) {
                    otherStates.insert(other)
                    anomalies.append("lock ID also seen under \(other) (event \(e.seq), \(event.source)): a lock ID belongs to one state")
                    evidence.append(Evidence(e, note: "ANOMALY: the same lock ID seen under another state, \(other); not merged"))
                } else {
                    evidence.append(Evidence(e, note: "\(event.kind.rawValue) reported for this lock ID under another state, \(other); not counted"))
                }
                continue
            }
            let mechanism = event.mechanism?.rawValue ?? event.source
            switch event.kind {
            case .lockAcquired:
                own.append(e)
                workspace = workspace ?? event.workspace
                acquires.append((mechanism, DerivationRules.modelled(event), event.source))
                mechanisms.insert(mechanism)
                sources.insert(event.source)
                evidence.append(Evidence(e, note: "\(mechanism) lock appeared"))
            case .lockReleased:
                own.append(e)
                workspace = workspace ?? event.workspace
                releases.append((mechanism, DerivationRules.modelled(event)))
                mechanisms.insert(mechanism)
                sources.insert(event.source)
                let reason = event.details["reason"]?.stringValue ?? "disappeared"
                evidence.append(Evidence(e, note: "\(mechanism) lock \(reason)"))
            case .lockForceUnlocked:
                forceUnlocks.append(e)
                sources.insert(event.source)
                let outcome = event.details["outcome"]?.stringValue ?? "unknown"
                let by = HoldDerivation.actor(event.details) ?? "an unknown actor"
                evidence.append(
                    Evidence(
                        e,
                        note: DerivationRules.removalOutcomes.contains(outcome)
                            ? "force-unlock of this lock ID by \(by): removed"
                            : "force-unlock attempt by \(by), outcome \(outcome): nothing removed, not evidence of force"))
            case .lockReleaseFailed:
                releaseFailures.append(e)
                sources.insert(event.source)
            case .lockContended:
                sources.insert(event.source)
                evidence.append(Evidence(e, note: "a run was blocked by this lock"))
            default:
                // The holder's own run events: part of the hold's story.
                if let runID = event.details["run_id"]?.stringValue {
                    evidence.append(Evidence(e, note: "the run \(runID) that took this lock: \(event.kind.rawValue)"))
                }
            }
        }
        for failure in releaseFailures {
            let cause = ReleaseFailureCause(message: failure.event.details["message"]?.stringValue)
            let who = failure.event.lockID == nil ? "the holder's run failed to release its lock" : "the holder failed to release"
            evidence.append(
                Evidence(
                    failure,
                    note: cause.provesRemoval
                        ? "\(who): the lock had been removed (\(cause.rawValue))"
                        : "\(who) for another reason (network, throttling, permission or unknown): not evidence of force"))
        }
        if let linked = link?.evidence { evidence.append(linked) }

        let acquired = EventTime.mostPrecise(acquires.map(\.time))
        let acquiredBy = Set(acquires.map(\.mechanism))
        let releasedBy = Set(releases.map(\.mechanism))
        let everyMechanismGone = acquiredBy.isEmpty ? !releasedBy.isEmpty : acquiredBy.isSubset(of: releasedBy)
        var released: EventTime?
        var kind: ReleaseKind?
        if everyMechanismGone {
            released = EventTime.mostPrecise(releases.map(\.time))
            kind = .released
        } else if !facts.tableMissing.isEmpty {
            // The table (and the lock in it) vanished without a release being seen.
            for missing in facts.tableMissing {
                evidence.append(Evidence(missing, note: "the lock table went missing while this lock was in it"))
            }
            released = EventTime.mostPrecise(releases.map(\.time) + facts.tableMissing.map(\.event.time))
            kind = releases.isEmpty ? .unknown : .released
        }

        var seenHeldUntil: Timestamp?
        if released == nil {
            // Present at each later observation of this state by every source that saw it appear
            // and not go; never past the end a mechanism did see.
            let showing = acquires.filter { !releasedBy.contains($0.mechanism) }
            seenHeldUntil = showing.compactMap { lastObserved[state + "\u{0}" + $0.source] }.min()
            for release in releases {
                let end = release.time.exact ?? release.time.earliest?.adding(microseconds: -1)
                if let end { seenHeldUntil = seenHeldUntil.map { min($0, end) } ?? end }
            }
        }
        var forcedBy: String?, forceReason: String?, forceProvenance: Provenance?, forceReportedBy: String?
        if let released {
            // Liveness proves force only for the run its own events tie to this lock ID; a run
            // matched by state, Who and time might have been waiting for the lock, not holding it.
            let provenRun = link.flatMap { $0.evidence == nil ? runs[$0.runID] : nil } ?? []
            let proof = RemovalProof(
                released: released, forceUnlocks: forceUnlocks, releaseFailures: releaseFailures, run: provenRun,
                sightings: own)
            if let removal = proof.first {
                kind = .forced
                forceProvenance = removal.evidence.provenance
                forceReportedBy = removal.evidence.reportedBy
                if removal.isForceUnlock {
                    forcedBy = HoldDerivation.actor(removal.event.event.details)
                    forceReason = removal.event.event.details["reason"]?.stringValue
                }
                if let remover = removal.remover, let creation = removal.creation {
                    forcedBy = remover
                    for item in [creation, removal.evidence] {
                        evidence.removeAll { $0.seq == item.seq }
                        evidence.append(item)
                    }
                }
                if removal.isLiveness {
                    evidence.removeAll { $0.seq == removal.evidence.seq }
                    evidence.append(removal.evidence)
                }
            }
        }
        let record = Self.record(of: own)
        var hold = Hold(
            lockID: lockID, state: state, workspace: workspace, who: record["who"]?.stringValue,
            operation: record["operation"]?.stringValue, version: record["version"]?.stringValue,
            createdAt: record["created"]?.stringValue.flatMap(Timestamp.init(parsing:)), acquired: acquired, released: released,
            releaseKind: kind, forcedBy: forcedBy, forceReason: forceReason, forceProvenance: forceProvenance,
            forceReportedBy: forceReportedBy, otherStates: otherStates.sorted(), anomalies: anomalies, runID: link?.runID,
            sources: sources.sorted(), mechanisms: mechanisms.sorted(), evidence: Self.dedupe(evidence))
        hold.seenHeldUntil = seenHeldUntil
        if let mark = MaintenanceLock.mark(operation: hold.operation, info: record["info"]?.stringValue) {
            (hold.maintenanceReason, hold.maintenanceExpires) = (mark.reason, mark.expires)
        }
        return hold
    }

    /// Evidence in log order, one item per event (the first note wins).
    static func dedupe(_ evidence: [Evidence]) -> [Evidence] {
        var seen = Set<Int64>()
        return evidence.sorted { $0.seq < $1.seq }.filter { seen.insert($0.seq).inserted }
    }
}
