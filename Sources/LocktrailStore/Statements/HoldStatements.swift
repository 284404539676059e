package import LocktrailCore
package import LocktrailPostgres

/// The statements on derived `holds`: storing them and the answers read from them.
package enum HoldStatements {
    /// `holds_copy`: stores derived holds.
    package enum Copy: CopyStatement {
        package static let file = QueryFile.holdsCopy
        package static func fields(_ hold: Hold) -> [String?] { HoldRow(hold).fields }
    }

    /// `holds_delete_all`: forgets every hold (before a rebuild).
    package struct DeleteAll: Statement {
        package static let file = QueryFile.holdsDeleteAll
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `holds_delete_states`: forgets the holds of `states` and of `lockIDs`.
    package struct DeleteStates: Statement {
        package static let file = QueryFile.holdsDeleteStates
        package var states: [String], lockIDs: [String]
        package init(states: [String], lockIDs: [String]) { (self.states, self.lockIDs) = (states, lockIDs) }
        package var bindings: [PostgresValue] { [.textArray(states), .textArray(lockIDs)] }
    }

    /// `holds_dump`: every hold's JSON as stored, by lock ID (the rebuild test compares them).
    package struct Dump: Statement {
        package static let file = QueryFile.holdsDump
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// A hold as stored.
        package struct Record: RowDecodable {
            package var lockID: String, doc: String
            package init(row: Row) throws {
                lockID = try row["lock_id"]
                doc = try row["doc"]
            }
        }
    }

    /// `holds_current`: locks held now, after `cursor`, optionally of one state.
    package struct Current: Statement {
        package typealias Record = Listed
        package static let file = QueryFile.holdsCurrent
        package var cursor: PageCursor?, limit: Int, state: String?
        package init(after cursor: PageCursor?, limit: Int, state: String?) { (self.cursor, self.limit, self.state) = (cursor, limit, state) }
        package var bindings: [PostgresValue] {
            let p = PostgresValue.position(cursor)
            return [p.sortAt, p.lockID, .int(Int64(limit)), .string(state)]
        }
    }

    /// `holds_history`: holds that may overlap `[since, until]`, optionally of one state and holder.
    package struct History: Statement {
        package typealias Record = Listed
        package static let file = QueryFile.holdsHistory
        package var cursor: PageCursor?, limit: Int, since: Timestamp?, until: Timestamp?, state: String?, who: String?
        package init(after cursor: PageCursor?, limit: Int, since: Timestamp?, until: Timestamp?, state: String?, who: String?) {
            (self.cursor, self.limit, self.since, self.until, self.state, self.who) = (cursor, limit, since, until, state, who)
        }
        package var bindings: [PostgresValue] {
            let p = PostgresValue.position(cursor)
            return [p.sortAt, p.lockID, .int(Int64(limit)), .timestamp(since), .timestamp(until), .string(state), .string(who)]
        }
    }

    /// `holds_forced`: force-removed holds that may overlap `[since, until]`.
    package struct Forced: Statement {
        package typealias Record = Listed
        package static let file = QueryFile.holdsForced
        package var cursor: PageCursor?, limit: Int, since: Timestamp?, until: Timestamp?
        package init(after cursor: PageCursor?, limit: Int, since: Timestamp?, until: Timestamp?) {
            (self.cursor, self.limit, self.since, self.until) = (cursor, limit, since, until)
        }
        package var bindings: [PostgresValue] {
            let p = PostgresValue.position(cursor)
            return [p.sortAt, p.lockID, .int(Int64(limit)), .timestamp(since), .timestamp(until)]
        }
    }

    /// `holds_stale`: locks held since before `cutoff`, with the last word of the holder's run.
    package struct Stale: Statement {
        package static let file = QueryFile.holdsStale
        package var cursor: PageCursor?, limit: Int, cutoff: Timestamp
        package init(after cursor: PageCursor?, limit: Int, heldSince cutoff: Timestamp) {
            (self.cursor, self.limit, self.cutoff) = (cursor, limit, cutoff)
        }
        package var bindings: [PostgresValue] {
            let p = PostgresValue.position(cursor)
            return [p.sortAt, p.lockID, .int(Int64(limit)), .timestamp(cutoff)]
        }

        /// A stale hold and its holder's run: the kind and time of its last event and the
        /// heartbeat interval it announced, when a run is known.
        package struct Record: RowDecodable {
            package var hold: Listed
            package var runKind: String?, runLastSeen: Timestamp?, heartbeatSeconds: Double?
            package init(row: Row) throws {
                hold = try Listed(row: row)
                runKind = try row["run_kind"]
                runLastSeen = try row["run_last_seen"]
                heartbeatSeconds = try row["heartbeat_seconds"]
            }
        }
    }

    /// `holds_who_at`: the holds of `state` that may have been held at `at`, a certain one first.
    package struct WhoAt: Statement {
        package static let file = QueryFile.holdsWhoAt
        package var state: String, at: Timestamp
        package init(state: String, at: Timestamp) { (self.state, self.at) = (state, at) }
        package var bindings: [PostgresValue] { [.string(state), .timestamp(at)] }

        /// A candidate holder.
        package struct Record: RowDecodable {
            package var lockID: String, doc: JSONValue, certain: Bool
            package init(row: Row) throws {
                lockID = try row["lock_id"]
                doc = try row["doc"]
                certain = try row["certain"]
            }
        }
    }

    /// A hold in a list: its keyset position and its JSON, kept as canonical bytes (the form the
    /// API writes) and parsed only when an answer adds to it.
    package struct Listed: RowDecodable {
        package var lockID: String, sortAt: Timestamp, document: CanonicalDocument
        package var doc: JSONValue { document.value }
        package init(row: Row) throws {
            lockID = try row["lock_id"]
            sortAt = try row["sort_at"]
            document = try row["doc"]
        }
    }
}
