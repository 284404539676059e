/// What the database holds that Prometheus should see, read in one go by the store; `samples`
/// turns it into metrics. Pure: the same snapshot and time give the same samples.
public struct DatabaseMetrics: Sendable {
    /// A lock held now (no release seen).
    public struct HeldLock: Sendable {
        /// Its state's lock path.
        public var state: String?
        /// The best single time for when it was taken.
        public var since: Timestamp?
        /// Whether it is a maintenance lock (`locktrail lock`).
        public var maintenance: Bool
        /// A held lock.
        public init(state: String?, since: Timestamp?, maintenance: Bool) { (self.state, self.since, self.maintenance) = (state, since, maintenance) }
    }

    /// A polling source and its last successful cycle.
    public struct Source: Sendable {
        /// `dynamodb:REGION/TABLE`, `s3:BUCKET[/PREFIX]`, …
        public var name: String
        /// `dynamodb`, `s3`, …
        public var kind: String
        /// When its last successful scan completed.
        public var lastSuccess: Timestamp?
        /// Consecutive failed cycles.
        public var failures: Int
        /// Coverage gaps recorded for it (event log).
        public var coverageGaps: Int
        /// For a lock table read through its stream: when every shard was last read to its end.
        public var streamReadThrough: Timestamp?
        /// For a lock table read through its stream: changes reconciliation found the stream missed.
        public var streamRepairs: Int?
        /// For a bucket fed by an SQS queue: every message sent before this was read and committed (`QueueRead.readThrough`).
        public var queueReadThrough: Timestamp?
        /// A source.
        public init(
            name: String, kind: String, lastSuccess: Timestamp?, failures: Int, coverageGaps: Int,
            streamReadThrough: Timestamp? = nil, streamRepairs: Int? = nil, queueReadThrough: Timestamp? = nil
        ) {
            (self.name, self.kind, self.lastSuccess, self.failures, self.coverageGaps) = (name, kind, lastSuccess, failures, coverageGaps)
            (self.streamReadThrough, self.streamRepairs, self.queueReadThrough) = (streamReadThrough, streamRepairs, queueReadThrough)
        }
    }

    /// Locks held now.
    public var held: [HeldLock]
    /// Force-removals ever counted (a ledger that only grows: rebuild does not move it).
    public var forcedRemovals: Int
    /// Unlocked writes ever counted (the same ledger).
    public var unlockedWrites: Int
    /// Events in the log (the chain head's sequence number).
    public var events: Int
    /// The polling sources.
    public var sources: [Source]

    /// A snapshot.
    public init(held: [HeldLock], forcedRemovals: Int, unlockedWrites: Int, events: Int, sources: [Source]) {
        (self.held, self.forcedRemovals, self.unlockedWrites, self.events, self.sources) = (held, forcedRemovals, unlockedWrites, events, sources)
    }

    /// The thresholds `locktrail_stale_locks` counts locks older than.
    public static let staleThresholds: [(label: String, seconds: Double)] = [("15m", 900), ("1h", 3600), ("6h", 21_600), ("24h", 86_400)]

    /// The samples at `now`.
    public func samples(now: Timestamp) -> [MetricSample] {
        var out: [MetricSample] = []
        var byBucket: [String: Int] = [:]
        for lock in held { byBucket[lock.state.flatMap { $0.split(separator: "/", maxSplits: 1).first.map(String.init) } ?? "", default: 0] += 1 }
        for (bucket, count) in byBucket.sorted(by: { $0.key < $1.key }) {
            out.append(
                MetricSample(
                    "locktrail_locks_held", .gauge, help: "Locks held now (no release seen), by state bucket.",
                    labels: [("bucket", bucket)], value: Double(count)))
        }
        if byBucket.isEmpty {
            // An empty family still says "zero", so `locktrail_locks_held == 0` can be asked.
            out.append(
                MetricSample(
                    "locktrail_locks_held", .gauge, help: "Locks held now (no release seen), by state bucket.",
                    labels: [("bucket", "")], value: 0))
        }
        let ages = held.compactMap { $0.since.map { max(0, now.secondsSinceEpoch - $0.secondsSinceEpoch) } }
        out.append(
            MetricSample(
                "locktrail_oldest_lock_age_seconds", .gauge, help: "Age of the oldest lock held now (0 when none).",
                value: ages.max() ?? 0))
        for threshold in Self.staleThresholds {
            out.append(
                MetricSample(
                    "locktrail_stale_locks", .gauge, help: "Locks held now that are older than the threshold.",
                    labels: [("older_than", threshold.label)], value: Double(ages.filter { $0 > threshold.seconds }.count)))
        }
        out.append(
            MetricSample(
                "locktrail_maintenance_locks", .gauge, help: "Maintenance locks (locktrail lock) held now.",
                value: Double(held.filter(\.maintenance).count)))
        out.append(
            MetricSample(
                "locktrail_forced_removals_total", .counter, help: "Locks found force-removed, ever (not moved by rebuild).",
                value: Double(forcedRemovals)))
        out.append(
            MetricSample(
                "locktrail_unlocked_writes_total", .counter, help: "State writes proven made with no lock held, ever (not moved by rebuild).",
                value: Double(unlockedWrites)))
        out.append(MetricSample("locktrail_events_total", .counter, help: "Events in the event log.", value: Double(events)))
        for source in sources.sorted(by: { $0.name < $1.name }) {
            let labels = [("source", source.name), ("kind", source.kind)]
            out.append(
                MetricSample(
                    "locktrail_source_last_success_timestamp_seconds", .gauge,
                    help: "When the source's last successful cycle completed (Unix seconds; 0 if never).",
                    labels: labels, value: source.lastSuccess?.secondsSinceEpoch ?? 0))
            out.append(
                MetricSample(
                    "locktrail_source_consecutive_failures", .gauge, help: "Failed cycles of the source since its last success.",
                    labels: labels, value: Double(source.failures)))
            out.append(
                MetricSample(
                    "locktrail_coverage_gaps_total", .counter, help: "Coverage gaps recorded for the source (event log).",
                    labels: labels, value: Double(source.coverageGaps)))
            if let readThrough = source.streamReadThrough ?? source.queueReadThrough {
                // The push lag: how far behind now the stream or queue has certainly been read.
                out.append(
                    MetricSample(
                        "locktrail_source_push_lag_seconds", .gauge,
                        help: "For a push source: seconds behind now that its DynamoDB stream or SQS queue has certainly been read and committed.",
                        labels: labels, value: max(0, now.secondsSinceEpoch - readThrough.secondsSinceEpoch)))
            }
            if source.streamReadThrough != nil {
                out.append(
                    MetricSample(
                        "locktrail_source_push_repairs_total", .counter,
                        help: "Changes a reconciliation scan found that the source's stream had not delivered.",
                        labels: labels, value: Double(source.streamRepairs ?? 0)))
            }
        }
        return out
    }
}
