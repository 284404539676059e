package import LocktrailCore
package import LocktrailPostgres

/// The statements of the web page: sessions, recorded verifications, and the lookups its pages
/// need beyond the list answers (one hold, events by position, a state's timeline events).
package enum WebStatements {
    /// `sessions_insert`: a new session of a token.
    package struct SessionInsert: Statement {
        package static let file = QueryFile.sessionsInsert
        package var secretHash: [UInt8], tokenID: Int64, csrf: String, lifetimeSeconds: Int64
        package init(secretHash: [UInt8], tokenID: Int64, csrf: String, lifetimeSeconds: Int64) {
            (self.secretHash, self.tokenID, self.csrf, self.lifetimeSeconds) = (secretHash, tokenID, csrf, lifetimeSeconds)
        }
        package var bindings: [PostgresValue] { [.bytea(secretHash), .int(tokenID), .string(csrf), .int(lifetimeSeconds)] }

        /// When it expires.
        package struct Record: RowDecodable {
            package var expiresAt: Timestamp
            package init(row: Row) throws { expiresAt = try row["expires_at"] }
        }
    }

    /// `sessions_lookup`: the live session with this secret hash, and its live token.
    package struct SessionLookup: Statement {
        package static let file = QueryFile.sessionsLookup
        package var secretHash: [UInt8]
        package init(secretHash: [UInt8]) { self.secretHash = secretHash }
        package var bindings: [PostgresValue] { [.bytea(secretHash)] }

        /// The session and its token.
        package struct Record: RowDecodable {
            package var id: Int64, name: String, scopes: String, csrf: String, expiresAt: Timestamp
            package init(row: Row) throws {
                id = try row["id"]
                name = try row["name"]
                scopes = try row["scopes"]
                csrf = try row["csrf"]
                expiresAt = try row["expires_at"]
            }
        }
    }

    /// `sessions_delete`: ends a session.
    package struct SessionDelete: Statement {
        package static let file = QueryFile.sessionsDelete
        package var secretHash: [UInt8]
        package init(secretHash: [UInt8]) { self.secretHash = secretHash }
        package var bindings: [PostgresValue] { [.bytea(secretHash)] }
    }

    /// `verifications_record`: what one verify found.
    package struct VerificationRecord: Statement {
        package static let file = QueryFile.verificationsRecord
        package var intact: Bool, events: Int64, head: String, problem: String?
        package init(intact: Bool, events: Int64, head: String, problem: String?) {
            (self.intact, self.events, self.head, self.problem) = (intact, events, head, problem)
        }
        package var bindings: [PostgresValue] { [.bool(intact), .int(events), .string(head), .string(problem)] }
    }

    /// `verifications_last`: the last recorded verify.
    package struct VerificationLast: Statement {
        package static let file = QueryFile.verificationsLast
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// A recorded verify.
        package struct Record: RowDecodable {
            package var verifiedAt: Timestamp, intact: Bool, events: Int64, head: String, problem: String?
            package init(row: Row) throws {
                verifiedAt = try row["verified_at"]
                intact = try row["intact"]
                events = try row["events"]
                head = try row["head"]
                problem = try row["problem"]
            }
        }
    }

    /// `holds_one`: the hold of one lock ID.
    package struct HoldOne: Statement {
        package typealias Record = HoldStatements.Listed
        package static let file = QueryFile.holdsOne
        package var lockID: String
        package init(lockID: String) { self.lockID = lockID }
        package var bindings: [PostgresValue] { [.string(lockID)] }
    }

    /// `events_by_seq`: the events at these positions.
    package struct EventsBySeq: Statement {
        package typealias Record = StoredEvent
        package static let file = QueryFile.eventsBySeq
        package var seqs: [Int64]
        package init(seqs: [Int64]) { self.seqs = seqs }
        package var bindings: [PostgresValue] { [.textArray(seqs.map(String.init))] }
    }

    /// `events_of_state_kinds`: events of some kinds about a state (or no state) in a period.
    package struct EventsOfState: Statement {
        package typealias Record = StoredEvent
        package static let file = QueryFile.eventsOfStateKinds
        package var kinds: [String], state: String, since: Timestamp?, until: Timestamp?, limit: Int
        package init(kinds: [String], state: String, since: Timestamp?, until: Timestamp?, limit: Int) {
            (self.kinds, self.state, self.since, self.until, self.limit) = (kinds, state, since, until, limit)
        }
        package var bindings: [PostgresValue] {
            [.textArray(kinds), .string(state), .timestamp(since), .timestamp(until), .int(Int64(limit))]
        }
    }

    /// `search_states_people`: states and holders whose name contains a text.
    package struct Search: Statement {
        package static let file = QueryFile.searchStatesPeople
        package var text: String, limit: Int
        package init(text: String, limit: Int) { (self.text, self.limit) = (text, limit) }
        package var bindings: [PostgresValue] { [.string(text), .int(Int64(limit))] }

        /// A match: `state` or `who`, and the name.
        package struct Record: RowDecodable {
            package var kind: String, value: String
            package init(row: Row) throws {
                kind = try row["kind"]
                value = try row["value"]
            }
        }
    }
}
