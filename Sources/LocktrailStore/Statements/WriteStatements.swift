package import LocktrailCore
package import LocktrailPostgres

/// The statements on derived `writes` (state versions matched to holds).
package enum WriteStatements {
    /// `writes_copy`: stores derived writes.
    package enum Copy: CopyStatement {
        package static let file = QueryFile.writesCopy
        package static func fields(_ write: StateWrite) -> [String?] {
            [
                String(write.seq), write.state, write.status.rawValue, write.lockID,
                write.serialRegression || write.lineageChanged ? "t" : "f", write.time.latest.rfc3339,
                CanonicalJSON.string(write.json),
            ]
        }
    }

    /// `writes_delete_all`: forgets every write (before a rebuild).
    package struct DeleteAll: Statement {
        package static let file = QueryFile.writesDeleteAll
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `writes_delete_states`: forgets the writes of `states`.
    package struct DeleteStates: Statement {
        package static let file = QueryFile.writesDeleteStates
        package var states: [String]
        package init(states: [String]) { self.states = states }
        package var bindings: [PostgresValue] { [.textArray(states)] }
    }

    /// `writes_dump`: every write's JSON as stored, in log order (the rebuild test compares them).
    package struct Dump: Statement {
        package static let file = QueryFile.writesDump
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// A write as stored.
        package struct Record: RowDecodable {
            package var seq: Int64, doc: String
            package init(row: Row) throws {
                seq = try row["seq"]
                doc = try row["doc"]
            }
        }
    }

    /// `writes_list`: writes after `seq`, optionally of one state, only unlocked ones, in `[since, until]`.
    package struct List: Statement {
        package static let file = QueryFile.writesList
        package var after: Int64, limit: Int, state: String?, unlockedOnly: Bool, since: Timestamp?, until: Timestamp?
        package init(after: Int64, limit: Int, state: String?, unlockedOnly: Bool, since: Timestamp?, until: Timestamp?) {
            (self.after, self.limit, self.state, self.unlockedOnly, self.since, self.until) = (after, limit, state, unlockedOnly, since, until)
        }
        package var bindings: [PostgresValue] {
            [.int(after), .int(Int64(limit)), .string(state), .bool(unlockedOnly), .timestamp(since), .timestamp(until)]
        }

        /// A write: its position in the log and its JSON.
        package struct Record: RowDecodable {
            package var seq: Int64, doc: JSONValue
            package init(row: Row) throws {
                seq = try row["seq"]
                doc = try row["doc"]
            }
        }
    }
}
