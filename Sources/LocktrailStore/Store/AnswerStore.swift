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
}
