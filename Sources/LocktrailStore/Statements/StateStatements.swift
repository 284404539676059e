package import LocktrailPostgres

/// The statements that check a state name a question was asked about.
package enum StateStatements {
    /// `states_known`: whether any event names `state`.
    package struct Known: Statement {
        package static let file = QueryFile.statesKnown
        package var state: String
        package init(state: String) { self.state = state }
        package var bindings: [PostgresValue] { [.string(state)] }

        /// The answer.
        package struct Record: RowDecodable {
            package var known: Bool
            package init(row: Row) throws { known = try row["known"] }
        }
    }

    /// `states_similar`: every state with holds or writes, to suggest close matches from.
    package struct Similar: Statement {
        package typealias Record = DerivationStatements.StateRecord
        package static let file = QueryFile.statesSimilar
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }
}
