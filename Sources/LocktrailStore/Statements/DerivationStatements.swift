import LocktrailCore
package import LocktrailPostgres

/// The statements that keep `holds` and `writes` derived: the cursor, and which states new
/// events touch.
package enum DerivationStatements {
    /// `derivation_cursor_read`: the last event derived and the chain head, unlocked (a cheap peek).
    package struct CursorRead: Statement {
        package static let file = QueryFile.derivationCursorRead
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// Where the derivation stands.
        package struct Record: RowDecodable {
            package var applied: Int64, head: Int64
            package init(row: Row) throws {
                applied = try row["applied"]
                head = try row["head"]
            }
        }
    }

    /// `derivation_cursor_lock`: the last event derived, row-locked so catch-ups queue.
    package struct CursorLock: Statement {
        package static let file = QueryFile.derivationCursorLock
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// The cursor.
        package struct Record: RowDecodable {
            package var seq: Int64
            package init(row: Row) throws { seq = try row["seq"] }
        }
    }

    /// `derivation_cursor_advance`: records that events up to `seq` are derived.
    package struct CursorAdvance: Statement {
        package static let file = QueryFile.derivationCursorAdvance
        package var seq: Int64
        package init(seq: Int64) { self.seq = seq }
        package var bindings: [PostgresValue] { [.int(seq)] }
    }

    /// `derivation_events_of_states`: every event up to `head` that can change the records of `states` (one batch).
    package struct EventsOfStates: Statement {
        package typealias Record = StoredEvent
        package static let file = QueryFile.derivationEventsOfStates
        package var states: [String], head: Int64
        package init(states: [String], upTo head: Int64) { (self.states, self.head) = (states, head) }
        package var bindings: [PostgresValue] { [.textArray(states), .int(head), .textArray(EventKind.concernsEveryState.map(\.rawValue))] }
    }

    /// `derivation_touched`: what events in `(after, upTo]` touch.
    package struct Touched: Statement {
        package static let file = QueryFile.derivationTouched
        package var after: Int64, head: Int64
        package init(after: Int64, upTo head: Int64) { (self.after, self.head) = (after, head) }
        /// The kinds that concern every state are a parameter: one list, `EventKind.concernsEveryState`.
        package var bindings: [PostgresValue] { [.int(after), .int(head), .textArray(EventKind.concernsEveryState.map(\.rawValue))] }

        /// A state, or for events without one their lock and run, and a kind that concerns every state.
        package struct Record: RowDecodable {
            package var state: String?, lockID: String?, runID: String?, globalKind: String?
            package init(row: Row) throws {
                state = try row["state"]
                lockID = try row["lock_id"]
                runID = try row["run_id"]
                globalKind = try row["global_kind"]
            }
        }
    }

    /// `derivation_missing_table_locks`: the lock IDs held when a table went missing in `(after, upTo]`.
    package struct MissingTableLocks: Statement {
        package static let file = QueryFile.derivationMissingTableLocks
        package var after: Int64, head: Int64
        package init(after: Int64, upTo head: Int64) { (self.after, self.head) = (after, head) }
        package var bindings: [PostgresValue] { [.int(after), .int(head)] }

        /// A lock ID.
        package struct Record: RowDecodable {
            package var lockID: String
            package init(row: Row) throws { lockID = try row["lock_id"] }
        }
    }

    /// `derivation_states_near_gaps`: states with a hold that may have begun inside a coverage gap
    /// appended in `(after, upTo]` (a gap can make a Created-timed acquire inexact).
    package struct StatesNearGaps: Statement {
        package typealias Record = StateRecord
        package static let file = QueryFile.derivationStatesNearGaps
        package var after: Int64, head: Int64
        package init(after: Int64, upTo head: Int64) { (self.after, self.head) = (after, head) }
        package var bindings: [PostgresValue] { [.int(after), .int(head)] }
    }

    /// `derivation_states_all`: every state the log names.
    package struct StatesAll: Statement {
        package typealias Record = StateRecord
        package static let file = QueryFile.derivationStatesAll
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `derivation_states_of_locks`: the states events of these lock IDs name.
    package struct StatesOfLocks: Statement {
        package typealias Record = StateRecord
        package static let file = QueryFile.derivationStatesOfLocks
        package var lockIDs: [String]
        package init(lockIDs: [String]) { self.lockIDs = lockIDs }
        package var bindings: [PostgresValue] { [.textArray(lockIDs)] }
    }

    /// `derivation_states_of_runs`: the states events of these runs name.
    package struct StatesOfRuns: Statement {
        package typealias Record = StateRecord
        package static let file = QueryFile.derivationStatesOfRuns
        package var runIDs: [String]
        package init(runIDs: [String]) { self.runIDs = runIDs }
        package var bindings: [PostgresValue] { [.textArray(runIDs)] }
    }

    /// `derivation_states_with_unlocked_writes`: states with a write derived `unlocked`.
    package struct StatesWithUnlockedWrites: Statement {
        package typealias Record = StateRecord
        package static let file = QueryFile.derivationStatesWithUnlockedWrites
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// A row naming one state.
    package struct StateRecord: RowDecodable {
        package var state: String
        package init(row: Row) throws { state = try row["state"] }
    }
}
