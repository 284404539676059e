public import LocktrailCore

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
