package import LocktrailCore
package import LocktrailPostgres

/// The statements `locktrail unlock` reads its evidence with.
package enum UnlockStatements {
    /// `unlock_lock_sightings`: the acquire events of `lockID`, newest first.
    package struct LockSightings: Statement {
        package static let file = QueryFile.unlockLockSightings
        package var lockID: String
        package init(lockID: String) { self.lockID = lockID }
        package var bindings: [PostgresValue] { [.string(lockID)] }

        /// Where the lock was seen.
        package struct Record: RowDecodable {
            package var mechanism: Mechanism?, source: String, state: String?, details: JSONValue
            package init(row: Row) throws {
                mechanism = try row["mechanism"]
                source = try row["source"]
                state = try row["state"]
                details = try row["details"]
            }
        }
    }

    /// `unlock_live_runs`: unfinished wrapped runs on `state` heard from since `since` (or
    /// within their own heartbeat allowance before `now`).
    package struct LiveRuns: Statement {
        package static let file = QueryFile.unlockLiveRuns
        package var state: String, since: Timestamp, now: Timestamp
        package init(state: String, since: Timestamp, now: Timestamp) { (self.state, self.since, self.now) = (state, since, now) }
        package var bindings: [PostgresValue] { [.string(state), .timestamp(since), .timestamp(now)] }

        /// A live run.
        package struct Record: RowDecodable {
            package var runID: String?, who: String?, lastSeen: Timestamp?
            package init(row: Row) throws {
                runID = try row["run_id"]
                who = try row["who"]
                lastSeen = try row["last_seen"]
            }
        }
    }
}
