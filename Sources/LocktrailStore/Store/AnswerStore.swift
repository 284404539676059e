public import LocktrailCore
import LocktrailPostgres

/// The questions locktrail answers, through the store. The CLI and the HTTP API both ask here,
/// so both give the same answer; callers catch up the derivation first (`DerivationStore`).
public struct AnswerStore: Sendable {
    let pool: PostgresPool

    /// Locks held now, oldest first, each with its age at `now`.
    public func current(state: String?, cursor: String?, limit: Int, now: Timestamp) async throws -> AnswerPage {
        try await pool.withConnection { try Answers.current(state: state, cursor: cursor, limit: limit, now: now, on: $0) }
    }

    /// Who held `state` at `at`: one hold with its certainty and the other candidates, or `.null`.
    public func who(state: String, at: Timestamp) async throws -> JSONValue {
        try await pool.withConnection { try Answers.who(state: state, at: at, on: $0) }
    }

    /// Holds that may overlap `[since, until]`, optionally of one state and holder.
    public func history(
        state: String?, who: String?, since: Timestamp?, until: Timestamp?, cursor: String?, limit: Int
    ) async throws -> AnswerPage {
        try await pool.withConnection {
            try Answers.history(state: state, who: who, since: since, until: until, cursor: cursor, limit: limit, on: $0)
        }
    }

    /// Force-removed locks that may overlap `[since, until]`.
    public func forced(since: Timestamp?, until: Timestamp?, cursor: String?, limit: Int) async throws -> AnswerPage {
        try await pool.withConnection { try Answers.forced(since: since, until: until, cursor: cursor, limit: limit, on: $0) }
    }

    /// Locks held for longer than `olderThan` seconds at `now`, with whether their holder is alive.
    public func stale(olderThan: Int64, cursor: String?, limit: Int, now: Timestamp) async throws -> AnswerPage {
        try await pool.withConnection { try Answers.stale(olderThan: olderThan, cursor: cursor, limit: limit, now: now, on: $0) }
    }

    /// State writes in log order, optionally of one state, only unlocked ones, in `[since, until]`.
    public func writes(
        state: String?, unlockedOnly: Bool, since: Timestamp?, until: Timestamp?, cursor: String?, limit: Int
    ) async throws -> AnswerPage {
        try await pool.withConnection {
            try Answers.writes(state: state, unlockedOnly: unlockedOnly, since: since, until: until, cursor: cursor, limit: limit, on: $0)
        }
    }

    /// Where lock `lockID` was seen acquired, newest first (on which state, by which mechanisms and tables).
    public func sightings(ofLock lockID: String) async throws -> [LockSighting] {
        try await pool.withConnection { connection in
            try connection.records(UnlockStatements.LockSightings(lockID: lockID)).map {
                LockSighting(mechanism: $0.mechanism, table: $0.details["table"]?.stringValue, state: $0.state)
            }
        }
    }

    /// Unfinished wrapped runs on `state` heard from since `since`, or within two and a half of
    /// their own heartbeat intervals before `now`: holders that are still alive.
    public func liveRuns(on state: String, since: Timestamp, now: Timestamp) async throws -> [LiveRun] {
        try await pool.withConnection { connection in
            try connection.records(UnlockStatements.LiveRuns(state: state, since: since, now: now)).map {
                LiveRun(runID: $0.runID ?? "?", who: $0.who, lastSeen: $0.lastSeen)
            }
        }
    }

    /// The hold of `lockID` as the API prints it, or nil when no source saw that lock.
    public func hold(lockID: String) async throws -> JSONValue? {
        try await pool.withConnection { try $0.first(WebStatements.HoldOne(lockID: lockID))?.doc }
    }

    /// The events at `seqs` (a hold's or write's evidence), in log order; at most 1,000 are asked.
    public func events(at seqs: [Int64]) async throws -> [StoredEvent] {
        let asked = Array(Set(seqs).sorted().prefix(Answers.maxLimit))
        guard !asked.isEmpty else { return [] }
        return try await pool.withConnection { try $0.records(WebStatements.EventsBySeq(seqs: asked)) }
    }

    /// Events of `kinds` about `state`, or about no state (a whole source's coverage gaps), whose
    /// time may overlap `[since, until]`: contention, force-unlock attempts and gaps on a timeline.
    public func timelineEvents(
        kinds: [EventKind], state: String, since: Timestamp?, until: Timestamp?, limit: Int
    ) async throws -> [StoredEvent] {
        try await pool.withConnection {
            try $0.records(WebStatements.EventsOfState(kinds: kinds.map(\.rawValue), state: state, since: since, until: until, limit: limit))
        }
    }

    /// Throws a `QueryError` naming close matches when no event names `state`.
    public func requireKnownState(_ state: String) async throws {
        try await pool.withConnection { try Answers.requireKnownState(state, on: $0) }
    }

    /// States and holders whose name contains `text`: (`state` or `who`, name), states first.
    public func search(_ text: String, limit: Int) async throws -> [(kind: String, value: String)] {
        try await pool.withConnection { try $0.records(WebStatements.Search(text: text, limit: limit)).map { ($0.kind, $0.value) } }
    }
}
