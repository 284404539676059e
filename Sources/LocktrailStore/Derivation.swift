import LocktrailCore
package import LocktrailPostgres

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
    /// States derived and stored in the first batch. Later batches grow while a batch's read stays
    /// under `eventsPerBatch` events and shrink when it exceeds twice that: few round trips when
    /// states have few events (a first cycle: one each), bounded memory when they have many.
    static let statesPerBatch = 200
    /// The events a batch's read aims at.
    static let eventsPerBatch = 20_000
    /// The most states in one batch (the size of the array parameters).
    static let maximumStatesPerBatch = 10_000

    /// Folds the events appended since the last catch-up into holds and writes, in one
    /// transaction with the cursor, so concurrent callers queue and none sees a half-applied state.
    @discardableResult
    package static func catchUp(on connection: PostgresConnection) throws -> DerivationReport {
        if let peek = try connection.first(DerivationStatements.CursorRead()), peek.applied >= peek.head {
            return DerivationReport(seq: peek.applied, newEvents: 0, states: 0, holds: 0, writes: 0)
        }
        return try connection.transaction {
            let cursor = try connection.first(DerivationStatements.CursorLock())?.seq ?? 0
            let head = try connection.first(EventStatements.HeadRead())?.seq ?? 0
            guard head > cursor else { return DerivationReport(seq: cursor, newEvents: 0, states: 0, holds: 0, writes: 0) }
            // From an empty cursor every state is touched: list them as rebuild does, without
            // reading what each event touches.
            let states =
                cursor == 0
                ? try connection.records(DerivationStatements.StatesAll()).map(\.state)
                : try touchedStates(after: cursor, upTo: head, on: connection).sorted()
            // From an empty cursor the log's events spread over its states: size the first batch by that.
            var report = try derive(
                states: states, upTo: head, on: connection, eventsPerState: cursor == 0 ? Int(head) / max(states.count, 1) : nil)
            try connection.run(DerivationStatements.CursorAdvance(seq: head))
            report.newEvents = head - cursor
            return report
        }
    }

    /// Throws away every derived hold and write and derives them again from the event log alone.
    @discardableResult
    package static func rebuild(on connection: PostgresConnection, progress: (Int, Int) -> Void = { _, _ in }) throws -> DerivationReport {
        try connection.transaction {
            _ = try connection.rows(of: DerivationStatements.CursorLock())
            let head = try connection.first(EventStatements.HeadRead())?.seq ?? 0
            try connection.run(HoldStatements.DeleteAll())
            try connection.run(WriteStatements.DeleteAll())
            let states = try connection.records(DerivationStatements.StatesAll()).map(\.state)
            var report = try derive(
                states: states, upTo: head, on: connection, clear: false, eventsPerState: Int(head) / max(states.count, 1), progress: progress)
            try connection.run(DerivationStatements.CursorAdvance(seq: head))
            report.newEvents = head
            return report
        }
    }

    /// The states whose records events in `(after, upTo]` can change.
    static func touchedStates(after cursor: Int64, upTo head: Int64, on connection: PostgresConnection) throws -> Set<String> {
        var states = Set<String>(), lockIDs = Set<String>(), runIDs = Set<String>(), global = Set<String>()
        for touched in try connection.records(DerivationStatements.Touched(after: cursor, upTo: head)) {
            if let state = touched.state { states.insert(state) }
            if let lockID = touched.lockID { lockIDs.insert(lockID) }
            if let runID = touched.runID { runIDs.insert(runID) }
            if let kind = touched.globalKind { global.insert(kind) }
        }
        if global.contains(EventKind.sourceTableMissing.rawValue) {
            let listed = try connection.records(DerivationStatements.MissingTableLocks(after: cursor, upTo: head))
            lockIDs.formUnion(listed.map(\.lockID))
        }
        if global.contains(EventKind.coverageGap.rawValue) {
            // A gap can turn an `unlocked` write into `unknown`, and make a Created-timed acquire
            // inside it inexact (it hides what may have blocked the run).
            states.formUnion(try connection.records(DerivationStatements.StatesWithUnlockedWrites()).map(\.state))
            states.formUnion(try connection.records(DerivationStatements.StatesNearGaps(after: cursor, upTo: head)).map(\.state))
        }
        if !lockIDs.isEmpty {
            states.formUnion(try connection.records(DerivationStatements.StatesOfLocks(lockIDs: lockIDs.sorted())).map(\.state))
        }
        if !runIDs.isEmpty {
            states.formUnion(try connection.records(DerivationStatements.StatesOfRuns(runIDs: runIDs.sorted())).map(\.state))
        }
        return states
    }

    /// Derives `states` from events up to `head` and replaces their stored records, in batches.
    /// `eventsPerState`, when known, sizes the first batch to read about `eventsPerBatch` events
    /// (a long history: 200 states of 1,000 events each would be 200,000 events in one read).
    static func derive(
        states: [String], upTo head: Int64, on connection: PostgresConnection, clear: Bool = true, eventsPerState: Int? = nil,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> DerivationReport {
        var report = DerivationReport(seq: head, newEvents: 0, states: states.count, holds: 0, writes: 0)
        var done = 0
        var size = eventsPerState.map { min(max(eventsPerBatch / max($0, 1), 1), maximumStatesPerBatch) } ?? statesPerBatch
        var seen = Set<String>()
        while done < states.count {
            let batch = Array(states[done..<min(done + size, states.count)])
            var holds: [Hold] = [], writes: [StateWrite] = []
            // One set-based read for the batch; each state then derives from its own selection.
            let read = try connection.records(DerivationStatements.EventsOfStates(states: batch, upTo: head)).map { stored in
                SequencedEvent(seq: stored.seq, event: stored.event)
            }
            let selection = HoldDerivation.Selection(read)
            for state in batch {
                let derived = HoldDerivation.derive(selection.events(for: state))
                // A lock ID belongs to the state its events name; the first state to claim it keeps it.
                holds += derived.holds.filter { $0.state == state && seen.insert($0.lockID).inserted }
                writes += derived.writes.filter { $0.state == state }
            }
            if clear {
                try connection.run(HoldStatements.DeleteStates(states: batch, lockIDs: holds.map(\.lockID)))
                try connection.run(WriteStatements.DeleteStates(states: batch))
            }
            try store(holds: holds, writes: writes, on: connection)
            report.holds += holds.count
            report.writes += writes.count
            done += batch.count
            progress(done, states.count)
            size = nextBatchSize(after: batch.count, read: read.count)
        }
        return report
    }

    /// The size of the next batch, from how many events the last one read.
    static func nextBatchSize(after states: Int, read events: Int) -> Int {
        if events > 2 * eventsPerBatch { return max(states / 2, 1) }
        if events < eventsPerBatch / 2 { return min(states * 2, maximumStatesPerBatch) }
        return states
    }

    static func store(holds: [Hold], writes: [StateWrite], on connection: PostgresConnection) throws {
        if !holds.isEmpty {
            try connection.copy(HoldStatements.Copy.self, context: "store holds") { rows in
                for hold in holds { try rows.append(hold) }
            }
        }
        if !writes.isEmpty {
            try connection.copy(WriteStatements.Copy.self, context: "store writes") { rows in
                for write in writes { try rows.append(write) }
            }
        }
    }
}
