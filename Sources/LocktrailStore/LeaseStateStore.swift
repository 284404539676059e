import LocktrailCore

/// The collector's door to leases: who owns each source (design.md "Beyond one machine").
/// Deadlines are the database's clock; `duration` is in seconds.
public protocol LeaseStateStore: Sendable {
    /// Takes the lease `name` for `holder` when it is free (never held, lapsed or released), with
    /// the next fencing token; nil when another holder's lease still runs.
    func acquire(_ name: String, holder: LeaseHolder, duration: Double) async throws -> Lease?
    /// Extends `lease` by `duration` from now; nil when it changed hands (the holder lost it).
    func renew(_ lease: Lease, duration: Double) async throws -> Lease?
    /// Gives `lease` up at once, so another collector can take it without waiting.
    func release(_ lease: Lease) async throws
}

/// A cycle planned under a lease that has changed hands since: its commit was refused whole.
public struct LeaseLostError: Error, CustomStringConvertible {
    /// The source.
    public var source: String
    /// The token the plan carried.
    public var token: UInt64
    /// Who holds the source now, as `host pid (token N)`, when anybody does.
    public var current: String?
    public var description: String {
        "the lease on \(source) (token \(token)) was taken over\(current.map { " by \($0)" } ?? ""): this collector no longer owns the source, and its cycle was discarded"
    }
}
