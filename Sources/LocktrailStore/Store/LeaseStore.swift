public import LocktrailCore
public import LocktrailPostgres

/// Leases on PostgreSQL (`leases`, migration 0008): one statement each, off the cooperative pool.
public struct LeaseStore: LeaseStateStore {
    let pool: PostgresPool

    /// A store on `pool`.
    package init(pool: PostgresPool) { self.pool = pool }

    public func acquire(_ name: String, holder: LeaseHolder, duration: Double) async throws -> Lease? {
        let granted = try await pool.withConnection {
            try $0.first(LeaseStatements.Acquire(name: name, holder: holder, milliseconds: Self.milliseconds(duration)))
        }
        return granted.map { Lease(name: name, holder: holder, token: UInt64($0.token), expiresAt: $0.expiresAt) }
    }

    public func renew(_ lease: Lease, duration: Double) async throws -> Lease? {
        let granted = try await pool.withConnection {
            try $0.first(
                LeaseStatements.Renew(
                    name: lease.name, holder: lease.holder.id, token: lease.token,
                    milliseconds: Self.milliseconds(duration)))
        }
        return granted.map { Lease(name: lease.name, holder: lease.holder, token: UInt64($0.token), expiresAt: $0.expiresAt) }
    }

    public func release(_ lease: Lease) async throws {
        try await pool.withConnection { try $0.run(LeaseStatements.Release(name: lease.name, holder: lease.holder.id, token: lease.token)) }
    }

    /// Refuses, inside the caller's transaction, a commit under `token` unless it is still the
    /// current token of the lease on `source`; the lease row stays locked until that transaction
    /// ends, so a takeover waits for the commit or the commit sees the takeover.
    static func requireCurrent(_ token: UInt64, of source: String, on connection: PostgresConnection) throws {
        let current = try connection.first(LeaseStatements.Fence(name: source))
        guard let current, UInt64(current.token) == token else {
            throw LeaseLostError(source: source, token: token, current: current.map { "\($0.host) pid \($0.pid) (token \($0.token))" })
        }
    }

    private static func milliseconds(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded()) }
}
