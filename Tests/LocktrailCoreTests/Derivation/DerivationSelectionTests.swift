import LocktrailCore
import Testing

/// `HoldDerivation.Selection` (one index over a batch's read) picks for each state exactly the
/// events the definition names: its own, those naming its lock IDs, its runs' `run.*` events and
/// the global kinds, in `seq` order.
@Suite struct DerivationSelectionTests {
    /// The definition, one filter over the whole read per state.
    static func reference(_ state: String, in events: [SequencedEvent]) -> [SequencedEvent] {
        let own = events.filter { $0.event.state == state }
        let lockIDs = Set(own.compactMap(\.event.lockID))
        let runIDs = Set(own.compactMap { $0.event.details["run_id"]?.stringValue })
        return events.filter { e in
            e.event.state == state || e.event.lockID.map(lockIDs.contains) == true || HoldDerivation.globalKinds.contains(e.event.kind)
                || (e.event.kind.rawValue.hasPrefix("run.") && e.event.details["run_id"]?.stringValue.map(runIDs.contains) == true)
        }
    }

    @Test func selectionEqualsTheDefinitionOnRandomHistories() {
        var failures: [String] = []
        for seed in UInt64(0)..<300 {
            let events = RandomWorld(seed: seed).events
            let selection = HoldDerivation.Selection(events)
            for state in RandomWorld.states + ["b/none.tfstate"] where selection.events(for: state) != Self.reference(state, in: events) {
                failures.append("seed \(seed), \(state)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5).joined(separator: "\n"))")
    }

    @Test func aHookWithoutStateJoinsTheStateOfItsLockAndRun() {
        let t = Timestamp(parsing: "2025-03-04T05:00:00Z")!
        func event(_ seq: Int64, _ kind: EventKind, state: String?, lockID: String?, runID: String?) -> SequencedEvent {
            let details: JSONValue = runID.map { JSONValue.object(["run_id": .string($0)]) } ?? .object([:])
            return SequencedEvent(
                seq: seq,
                event: Event(
                    key: "k\(seq)", kind: kind, source: "test", mechanism: .hook, time: .exact(t),
                    observedAt: t, lockID: lockID, state: state, details: details))
        }
        let events = [
            event(1, .runStarted, state: "b/a", lockID: nil, runID: "r1"),
            event(2, .lockAcquired, state: "b/a", lockID: "L1", runID: nil),
            event(3, .lockReleaseFailed, state: nil, lockID: "L1", runID: "r9"),
            event(4, .runFinished, state: nil, lockID: nil, runID: "r1"),
            event(5, .lockAcquired, state: "b/b", lockID: "L2", runID: nil),
            event(6, .coverageGap, state: nil, lockID: nil, runID: nil),
            event(7, .lockContended, state: nil, lockID: nil, runID: "r1"),
        ]
        let selection = HoldDerivation.Selection(events)
        #expect(selection.events(for: "b/a").map(\.seq) == [1, 2, 3, 4, 6])
        #expect(selection.events(for: "b/b").map(\.seq) == [5, 6])
        #expect(selection.events(for: "b/a") == Self.reference("b/a", in: events))
    }
}
