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

    /// How far a push source's stream or queue was read.
    public struct Push: Sendable, Hashable {
        /// `stream` (a lock table's DynamoDB stream) or `queue` (S3 notifications through SQS).
        public var via: String
        /// The queue's URL, for `queue`.
        public var queue: String?
        /// Everything written to the stream, or sent to the queue, before this was read and committed.
        public var readThrough: Timestamp
        /// The newest `SentTimestamp` read from the queue, for `queue`.
        public var newestMessageSentAt: Timestamp?
    }

    /// The source name (or a lease's, for the signer of a checkpoint chain).
    public var source: String
    /// `dynamodb`, `s3`, or `lease` for a lease that is no source's.
    public var kind: String
    /// The source's status after its last successful cycle.
    public var status: String
    /// When its last successful observation completed (for a push source, the latest of its scan,
    /// its stream read and its queue receive; for a queue, its listener's last recorded receive).
    public var lastSuccess: Timestamp?
    /// Consecutive failed cycles, and the last error.
    public var failures: Int
    /// The last error, when the last cycle failed.
    public var lastError: String?
    /// Items seen by the last cycle.
    public var items: Int
    /// For a push source (and a queue), how far its stream or queue was read; nil otherwise.
    public var push: Push?
    /// Who owns it now; nil when no lease runs (no collector, or its owner died and none took over yet).
    public var owner: Owner?
    /// The database's time of the answer.
    public var now: Timestamp

    /// How far behind the log may be: seconds since a push source's stream or queue was certainly
    /// read, else since the last success; nil when never observed.
    public var lagSeconds: Double? { (push?.readThrough ?? lastSuccess).map { max(0, now.secondsSinceEpoch - $0.secondsSinceEpoch) } }

    init(_ r: SourceStatements.List.Record) {
        source = r.source
        kind = r.kind
        status = r.status
        lastSuccess = r.lastSuccess
        if let via = r.pushVia, let readThrough = r.pushReadThrough {
            push = Push(via: via, queue: r.queue, readThrough: readThrough, newestMessageSentAt: r.queueNewestSentAt)
        }
        failures = r.failures
        lastError = r.lastError
        items = r.items
        if r.leaseHeld, let host = r.leaseHost, let pid = r.leasePid, let token = r.leaseToken, let expires = r.leaseExpiresAt {
            owner = Owner(host: host, pid: pid, token: UInt64(token), expiresAt: expires)
        }
        now = r.now
    }
}
