/// When a source records `source.coverage_gap`: a period in which it could not observe, so
/// nothing may be proven absent there (README, "Coverage gaps"). Every gap names its source, its
/// period (`from`, `to` in the details and as the event's bounds) and the reason.
public enum CoverageGapRules {
    /// The gap for a pause between the last successful scan and this one longer than `threshold`
    /// seconds (the collector was down, or its scans failed), or nil.
    public static func pause(
        source: String, keyPrefix: String, mechanism: Mechanism, checkpoint: SourceCheckpoint, started: Timestamp,
        completed: Timestamp, threshold: Double, table: String? = nil, bucket: String? = nil
    ) -> Event? {
        guard let last = checkpoint.lastScanCompleted, started.secondsSinceEpoch - last.secondsSinceEpoch > threshold else { return nil }
        let reason = checkpoint.failures > 0 ? "failed scans: \(checkpoint.lastError ?? "unknown error")" : "collector not running"
        return gap(
            key: "\(keyPrefix)|\(source)|gap|\(last.microseconds)|\(started.microseconds)", source: source, mechanism: mechanism,
            observedAt: completed, details: CoverageGapDetails(from: last, to: started, reason: reason, table: table, bucket: bucket))
    }

    /// A gap event over (`details.from`, `details.to`]; `state` and `workspace` when only one
    /// state's history is in doubt (history pruned before it was read), nil when the whole source's is.
    public static func gap(
        key: String, source: String, mechanism: Mechanism, observedAt: Timestamp, state: StateIdentity? = nil,
        details: CoverageGapDetails
    ) -> Event {
        Event(
            key: key, kind: .coverageGap, source: source, mechanism: mechanism, time: .between(after: details.from, notAfter: details.to),
            observedAt: observedAt, state: state?.lockPath, workspace: state?.workspace, details: details)
    }
}
