/// Who holds a lease: one `locktrail collect` process, named by its host and pid (for people)
/// and a random id (so a pid reused after a restart, or on another host, is another holder).
public struct LeaseHolder: Hashable, Sendable {
    /// Unique per process start.
    public var id: String
    /// The host name.
    public var host: String
    /// The process id.
    public var pid: Int32

    /// A holder.
    public init(id: String, host: String, pid: Int32) {
        self.id = id
        self.host = host
        self.pid = pid
    }
}

/// The right to run one source's cycles (or to sign the chain head), held by one collector at a
/// time until `expiresAt` (the database's clock) unless renewed. `token` grows by one at every
/// change of hands and never goes back: a cycle planned under a lease carries its token in the
/// plan's `OwnershipFence`, and the store refuses the commit once the token is not the current
/// one (the source was taken over meanwhile).
public struct Lease: Hashable, Sendable {
    /// What is leased: a source name, or a pseudo-source such as `checkpoints:DIR`.
    public var name: String
    /// Who holds it.
    public var holder: LeaseHolder
    /// The fencing token.
    public var token: UInt64
    /// When it lapses unless renewed, by the database's clock.
    public var expiresAt: Timestamp

    /// A lease.
    public init(name: String, holder: LeaseHolder, token: UInt64, expiresAt: Timestamp) {
        self.name = name
        self.holder = holder
        self.token = token
        self.expiresAt = expiresAt
    }
}
