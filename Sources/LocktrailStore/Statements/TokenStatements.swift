package import LocktrailPostgres

/// The statements on `tokens` (bearer tokens, stored as SHA-256 only).
package enum TokenStatements {
    /// `tokens_insert`: a new token.
    package struct Insert: Statement {
        package static let file = QueryFile.tokensInsert
        package var name: String, secretHash: [UInt8], scopes: [String]
        package init(name: String, secretHash: [UInt8], scopes: [String]) { (self.name, self.secretHash, self.scopes) = (name, secretHash, scopes) }
        package var bindings: [PostgresValue] { [.string(name), .bytea(secretHash), .textArray(scopes)] }
    }

    /// `tokens_lookup`: the live token with this secret hash.
    package struct Lookup: Statement {
        package static let file = QueryFile.tokensLookup
        package var secretHash: [UInt8]
        package init(secretHash: [UInt8]) { self.secretHash = secretHash }
        package var bindings: [PostgresValue] { [.bytea(secretHash)] }

        /// The token.
        package struct Record: RowDecodable {
            package var id: Int64, name: String, scopes: String
            package init(row: Row) throws {
                id = try row["id"]
                name = try row["name"]
                scopes = try row["scopes"]
            }
        }
    }

    /// `tokens_list`: every token, without secrets.
    package struct List: Statement {
        package static let file = QueryFile.tokensList
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// A token as listed.
        package struct Record: RowDecodable {
            package var id: Int64, name: String, scopes: String, createdAt: String?, revokedAt: String?
            package init(row: Row) throws {
                id = try row["id"]
                name = try row["name"]
                scopes = try row["scopes"]
                createdAt = try row["created_at"]
                revokedAt = try row["revoked_at"]
            }
        }
    }

    /// `tokens_revoke`: revokes the live token named `name`; its one row says it existed.
    package struct Revoke: Statement {
        package static let file = QueryFile.tokensRevoke
        package var name: String
        package init(name: String) { self.name = name }
        package var bindings: [PostgresValue] { [.string(name)] }

        /// The revoked token.
        package struct Record: RowDecodable {
            package var id: Int64
            package init(row: Row) throws { id = try row["id"] }
        }
    }
}
