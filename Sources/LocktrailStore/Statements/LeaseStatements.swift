package import LocktrailCore
package import LocktrailPostgres

/// The statements on `leases` (which collector owns a source, with its fencing token).
package enum LeaseStatements {
    /// A lease's token and deadline, as `leases_acquire` and `leases_renew` return them.
    package struct Granted: RowDecodable {
        package var token: Int64, expiresAt: Timestamp
        package init(row: Row) throws {
            token = try row["token"]
            expiresAt = try row["expires_at"]
        }
    }

    /// `leases_acquire`: takes a free lease with the next token.
    package struct Acquire: Statement {
        package typealias Record = Granted
        package static let file = QueryFile.leasesAcquire
        package var name: String, holder: LeaseHolder, milliseconds: Int64
        package init(name: String, holder: LeaseHolder, milliseconds: Int64) {
            (self.name, self.holder, self.milliseconds) = (name, holder, milliseconds)
        }
        package var bindings: [PostgresValue] {
            [.string(name), .string(holder.id), .string(holder.host), .int(Int64(holder.pid)), .int(milliseconds)]
        }
    }

    /// `leases_renew`: extends a lease its holder still has.
    package struct Renew: Statement {
        package typealias Record = Granted
        package static let file = QueryFile.leasesRenew
        package var name: String, holder: String, token: UInt64, milliseconds: Int64
        package init(name: String, holder: String, token: UInt64, milliseconds: Int64) {
            (self.name, self.holder, self.token, self.milliseconds) = (name, holder, token, milliseconds)
        }
        package var bindings: [PostgresValue] { [.string(name), .string(holder), .int(Int64(token)), .int(milliseconds)] }
    }

    /// `leases_release`: gives a lease up.
    package struct Release: Statement {
        package static let file = QueryFile.leasesRelease
        package var name: String, holder: String, token: UInt64
        package init(name: String, holder: String, token: UInt64) { (self.name, self.holder, self.token) = (name, holder, token) }
        package var bindings: [PostgresValue] { [.string(name), .string(holder), .int(Int64(token))] }
    }

    /// `leases_fence`: a lease's current token, row-locked for a commit.
    package struct Fence: Statement {
        package static let file = QueryFile.leasesFence
        package var name: String
        package init(name: String) { self.name = name }
        package var bindings: [PostgresValue] { [.string(name)] }

        /// The current holder.
        package struct Record: RowDecodable {
            package var token: Int64, holder: String, host: String, pid: Int
            package init(row: Row) throws {
                token = try row["token"]
                holder = try row["holder"]
                host = try row["host"]
                pid = try row["pid"]
            }
        }
    }
}
