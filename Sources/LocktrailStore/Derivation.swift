import LocktrailCore
import LocktrailPostgres

/// What a catch-up or rebuild did.
public struct DerivationReport: Hashable, Sendable {
    /// The last event now folded in.
    public var seq: Int64
    /// Events that were new since the previous catch-up.
    public var newEvents: Int64
    /// States whose holds and writes were derived again.
    public var states: Int
    /// Holds stored for those states.
    public var holds: Int
    /// Writes stored for those states.
    public var writes: Int
}

/// Keeps `holds` and `writes` derived from the event log (`HoldDerivation`).
///
/// Derivation is per state: a state's records depend only on its own events, events naming its
/// lock IDs or runs, and the few global kinds. Catching up re-derives just the states that new
/// events touch, so the incremental result is by construction what `rebuild` computes from the
/// log alone, and it is cheap when nothing is new (one indexed read).
public enum Derivation {
    /// States derived and stored per batch: bounds memory during a rebuild of any size.
    static let statesPerBatch = 200

    /// Folds the events appended since the last catch-up into holds and writes, in one
    /// transaction with the cursor, so concurrent callers queue and none sees a half-applied state.
    @discardableResult
    public static func catchUp(on connection: PostgresConnection) throws -> DerivationReport {
        let peek = try connection.run(NamedQuery("derivation_cursor_read"))
        if let applied = peek.int(0, 0), let head = peek.int(0, 1), applied >= head {
            return DerivationReport(seq: applied, newEvents: 0, states: 0, holds: 0, writes: 0)
        }
        return try connection.transaction {
            let cursor = try connection.run(NamedQuery("derivation_cursor_lock")).int(0, 0) ?? 0
            let head = try connection.run(NamedQuery("chain_head_read")).int(0, 0) ?? 0
            guard head > cursor else { return DerivationReport(seq: cursor, newEvents: 0, states: 0, holds: 0, writes: 0) }
            let states = try touchedStates(after: cursor, upTo: head, on: connection)
            var report = try derive(states: states.sorted(), upTo: head, on: connection)
            try connection.run(NamedQuery("derivation_cursor_advance"), [.int(head)])
            report.newEvents = head - cursor
            return report
        }
    }

    /// Throws away every derived hold and write and derives them again from the event log alone.
    @discardableResult
    public static func rebuild(on connection: PostgresConnection, progress: (Int, Int) -> Void = { _, _ in }) throws -> DerivationReport {
        try connection.transaction {
            _ = try connection.run(NamedQuery("derivation_cursor_lock"))
            let head = try connection.run(NamedQuery("chain_head_read")).int(0, 0) ?? 0
            try connection.run(NamedQuery("holds_delete_all"))
            try connection.run(NamedQuery("writes_delete_all"))
            let all = try connection.run(NamedQuery("derivation_states_all"))
            let states = (0..<all.rowCount).compactMap { all.string($0, 0) }
            var report = try derive(states: states, upTo: head, on: connection, clear: false, progress: progress)
            try connection.run(NamedQuery("derivation_cursor_advance"), [.int(head)])
            report.newEvents = head
            return report
        }
    }

    /// The states whose records events in `(after, upTo]` can change.
    static func touchedStates(after cursor: Int64, upTo head: Int64, on connection: PostgresConnection) throws -> Set<String> {
        var states = Set<String>(), lockIDs = Set<String>(), runIDs = Set<String>(), global = Set<String>()
        let touched = try connection.run(NamedQuery("derivation_touched"), [.int(cursor), .int(head)])
        for row in 0..<touched.rowCount {
            if let state = touched.string(row, 0) { states.insert(state) }
            if let lockID = touched.string(row, 1) { lockIDs.insert(lockID) }
            if let runID = touched.string(row, 2) { runIDs.insert(runID) }
            if let kind = touched.string(row, 3) { global.insert(kind) }
        }
        if global.contains(EventKind.sourceTableMissing.rawValue) {
            let listed = try connection.run(NamedQuery("derivation_missing_table_locks"), [.int(cursor), .int(head)])
            for row in 0..<listed.rowCount { if let id = listed.string(row, 0) { lockIDs.insert(id) } }
        }
        if global.contains(EventKind.coverageGap.rawValue) {
            // A gap can turn an `unlocked` write into `unknown`, and make a Created-timed acquire
            // inside it inexact (it hides what may have blocked the run).
            let unlocked = try connection.run(NamedQuery("derivation_states_with_unlocked_writes"))
            for row in 0..<unlocked.rowCount { if let state = unlocked.string(row, 0) { states.insert(state) } }
            let near = try connection.run(NamedQuery("derivation_states_near_gaps"), [.int(cursor), .int(head)])
            for row in 0..<near.rowCount { if let state = near.string(row, 0) { states.insert(state) } }
        }
        if !lockIDs.isEmpty {
            let r = try connection.run(NamedQuery("derivation_states_of_locks"), [.textArray(lockIDs.sorted())])
            for row in 0..<r.rowCount { if let state = r.string(row, 0) { states.insert(state) } }
        }
        if !runIDs.isEmpty {
            let r = try connection.run(NamedQuery("derivation_states_of_runs"), [.textArray(runIDs.sorted())])
            for row in 0..<r.rowCount { if let state = r.string(row, 0) { states.insert(state) } }
        }
        return states
    }

    /// Derives `states` from events up to `head` and replaces their stored records, in batches.
    static func derive(
        states: [String], upTo head: Int64, on connection: PostgresConnection, clear: Bool = true,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> DerivationReport {
        var report = DerivationReport(seq: head, newEvents: 0, states: states.count, holds: 0, writes: 0)
        var done = 0
        var seen = Set<String>()
        for start in stride(from: 0, to: states.count, by: statesPerBatch) {
            let batch = Array(states[start..<min(start + statesPerBatch, states.count)])
            var holds: [Hold] = [], writes: [StateWrite] = []
            for state in batch {
                let r = try connection.run(NamedQuery("derivation_events_of_state"), [.string(state), .int(head)])
                let events = try (0..<r.rowCount).map { row in
                    let stored = try EventLog.decode(r, row: row)
                    return SequencedEvent(seq: stored.seq, event: stored.event)
                }
                let derived = HoldDerivation.derive(events)
                // A lock ID belongs to the state its events name; the first state to claim it keeps it.
                holds += derived.holds.filter { $0.state == state && seen.insert($0.lockID).inserted }
                writes += derived.writes.filter { $0.state == state }
            }
            if clear {
                try connection.run(NamedQuery("holds_delete_states"), [.textArray(batch), .textArray(holds.map(\.lockID))])
                try connection.run(NamedQuery("writes_delete_states"), [.textArray(batch)])
            }
            try store(holds: holds, writes: writes, on: connection)
            report.holds += holds.count
            report.writes += writes.count
            done += batch.count
            progress(done, states.count)
        }
        return report
    }

    static func store(holds: [Hold], writes: [StateWrite], on connection: PostgresConnection) throws {
        if !holds.isEmpty {
            try connection.copyIn(NamedQuery("holds_copy").sql, context: "store holds") { writer in
                for hold in holds { try writer.row(HoldRow(hold).fields) }
            }
        }
        if !writes.isEmpty {
            try connection.copyIn(NamedQuery("writes_copy").sql, context: "store writes") { writer in
                for write in writes {
                    try writer.row([
                        String(write.seq), write.state, write.status.rawValue, write.lockID,
                        write.serialRegression || write.lineageChanged ? "t" : "f", write.time.latest.rfc3339,
                        CanonicalJSON.string(write.json),
                    ])
                }
            }
        }
    }
}
