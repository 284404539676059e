/// Whether a lock-table source can go on reading its stream where it stopped (README, "DynamoDB
/// Streams"): records stay 24 hours, and a stream disabled and enabled again is a new stream.
/// A stream that cannot be resumed is a coverage gap, resynchronised by a scan: never a silent loss.
public enum StreamResumption: Hashable, Sendable {
    /// The stored positions are good: read on after them.
    case resume
    /// No stream was read before: begin now; what came before is the scans' (no gap).
    case attach
    /// Records since `since` may be lost: a coverage gap from then, a scan, and a fresh start.
    case unresumable(reason: String, since: Timestamp)

    /// How long DynamoDB keeps stream records.
    public static let retentionSeconds: Double = 24 * 3600

    /// The decision for a source whose table offers `streamARN` now, given what is stored.
    public static func decide(
        stored: StreamCheckpoint?, streamARN: String, now: Timestamp,
        retention: Double = retentionSeconds
    ) -> StreamResumption {
        guard let stored else { return .attach }
        if stored.streamARN != streamARN {
            return .unresumable(
                reason:
                    "the table's stream was replaced (disabled and enabled again): \(stored.streamARN) read until \(stored.readThrough.rfc3339), now \(streamARN)",
                since: stored.readThrough)
        }
        if now.secondsSinceEpoch - stored.readThrough.secondsSinceEpoch > retention {
            return .unresumable(
                reason: "the stream checkpoint (\(stored.readThrough.rfc3339)) is older than the stream's 24-hour retention",
                since: stored.readThrough)
        }
        return .resume
    }

    /// The problem, if any, with resuming `stored` on the shards DescribeStream lists now: a shard
    /// read before but unfinished that is no longer listed lost its unread records to trimming.
    public static func lostShards(stored: StreamCheckpoint, lineage: StreamShardLineage) -> String? {
        let listed = Set(lineage.shards.map(\.id))
        let lost = stored.positions.keys.filter { !listed.contains($0) && !stored.finished.contains($0) }.sorted()
        guard !lost.isEmpty else { return nil }
        return "shard \(lost.joined(separator: ", ")) was trimmed (24-hour retention) before it was read to its end"
    }
}
