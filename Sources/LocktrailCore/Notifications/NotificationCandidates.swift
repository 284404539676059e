/// What the store found that may deserve a notification, each with the identity that names it
/// across restarts and rebuilds: a hold by its Terraform lock ID, a write or an event by its
/// position in the append-only log (never a derived row's id, which a rebuild changes).
public struct NotificationCandidates: Sendable {
    /// A hold as the answers print it.
    public struct HoldCandidate: Sendable {
        public var lockID: String
        public var doc: JSONValue
        /// When it was certainly held from (the latest possible acquire), for `stale`.
        public var certainFrom: Timestamp?
        public init(lockID: String, doc: JSONValue, certainFrom: Timestamp? = nil) {
            (self.lockID, self.doc, self.certainFrom) = (lockID, doc, certainFrom)
        }
    }

    /// A write or an event, by its seq.
    public struct LogCandidate: Sendable {
        public var seq: Int64
        public var doc: JSONValue
        public init(seq: Int64, doc: JSONValue) { (self.seq, self.doc) = (seq, doc) }
    }

    /// Holds derived `forced` that new events concern.
    public var forced: [HoldCandidate] = []
    /// Locks held now and certainly held since before the oldest `stale_after` asks.
    public var held: [HoldCandidate] = []
    /// Writes derived `unlocked`.
    public var unlockedWrites: [LogCandidate] = []
    /// New `lock.contended` events.
    public var contentions: [LogCandidate] = []
    /// New `source.coverage_gap` events.
    public var coverageGaps: [LogCandidate] = []

    /// Nothing found.
    public init() {}
}

/// One notification to write to the outbox: for one webhook, about one subject.
public struct NotificationDraft: Hashable, Sendable {
    /// The delivery id (`X-Locktrail-Delivery`): derived from the webhook and the subject alone,
    /// so the same finding always has the same id.
    public var id: String
    public var webhook: String
    /// What it is about: `forced:<lock id>`, `stale:<lock id>`, `unlocked_write:<seq>`,
    /// `contention:<seq>`, `coverage_gap:<seq>`.
    public var subject: String
    public var kind: NotificationKind
    /// One line for people (Slack's `text`).
    public var summary: String
    /// The JSON document delivered to `format: json` webhooks, exactly as sent.
    public var body: String
}
