public import LocktrailCore

/// A source as `locktrail sources` shows it: its coverage, its failures and who owns it.
public struct SourceOverview: Sendable, Hashable {
    /// The owner of a source: the collector whose lease still runs.
    public struct Owner: Sendable, Hashable {
        /// Its host.
        public var host: String
        /// Its process id.
        public var pid: Int
        /// The lease's fencing token.
        public var token: UInt64
        /// When the lease lapses unless renewed.
        public var expiresAt: Timestamp
    }

    /// The source name (or a lease's, for the signer of a checkpoint chain).
    public var source: String
    /// `dynamodb`, `s3`, or `lease` for a lease that is no source's.
    public var kind: String
    /// The source's status after its last successful cycle.
    public var status: String
    /// When its last successful observation completed: coverage reaches this far.
    public var lastSuccess: Timestamp?
    /// Consecutive failed cycles, and the last error.
    public var failures: Int
    /// The last error, when the last cycle failed.
    public var lastError: String?
    /// Items seen by the last cycle.
    public var items: Int
    /// Who owns it now; nil when no lease runs (no collector, or its owner died and none took over yet).
    public var owner: Owner?
    /// The database's time of the answer.
    public var now: Timestamp

    /// Seconds since the last success (how far behind the tables the log may be); nil when never observed.
    public var lagSeconds: Double? { lastSuccess.map { max(0, now.secondsSinceEpoch - $0.secondsSinceEpoch) } }

    init(_ r: SourceStatements.List.Record) {
        source = r.source
        kind = r.kind
        status = r.status
        lastSuccess = r.lastScanCompleted
        failures = r.failures
        lastError = r.lastError
        items = r.items
        if r.leaseHeld, let host = r.leaseHost, let pid = r.leasePid, let token = r.leaseToken, let expires = r.leaseExpiresAt {
            owner = Owner(host: host, pid: pid, token: UInt64(token), expiresAt: expires)
        }
        now = r.now
    }
}
