import LocktrailCrypto

/// The rules of a lock-table source that reads its table's stream (README, "DynamoDB Streams"):
/// the stream's records, applied in order to the source's snapshot, and the reconciliation scan
/// that runs every reconcile interval and repairs what the stream did not deliver.
///
/// The snapshot is what keeps the two from counting one change twice. A record's events are
/// built (by `LockTableStreamRules`) from the change between what the snapshot holds for its
/// item and the record's new image, and the snapshot takes the new image: a record whose change
/// the snapshot already holds — a scan recorded it first — records nothing. A scan is diffed
/// against the snapshot the stream kept, and only for items no record of the same commit
/// touched, so what it still finds is a change the stream missed: it is recorded with the scan's
/// bounds, marked `reconciled` in its details, and counted.
public struct DynamoDBStreamPlanner: Sendable {
    /// The source name, `dynamodb:<region>/<table>`.
    public var source: String
    /// The table.
    public var table: String
    /// How workspaces are laid out in the buckets this table locks.
    public var layout: WorkspaceLayout
    /// Keys per batch of a scan's diff.
    public var chunkSize: Int

    /// Rules for one table.
    public init(source: String, table: String, layout: WorkspaceLayout = .standard, chunkSize: Int = 5000) {
        self.source = source
        self.table = table
        self.layout = layout
        self.chunkSize = max(1, chunkSize)
    }

    /// What applying a read to a snapshot gave.
    public struct Application: Sendable {
        /// The events, in stream order.
        public var events: [Event] = []
        /// The snapshot afterwards.
        public var snapshot: [String: SnapshotEntry]
        /// Items the records touched.
        public var touched: Set<String> = []
        /// Records older than the attachment (the scans before had them), left out.
        public var skipped = 0
        /// Records whose change the snapshot already held (recorded before, by a scan or a read).
        public var known = 0

        /// The snapshot changes, for the store.
        public var diff: SnapshotDiff {
            var diff = SnapshotDiff()
            diff.events = events
            for key in touched.sorted() {
                if let entry = snapshot[key] { diff.upserts.append((key, entry)) } else { diff.deletions.append(key) }
            }
            return diff
        }
    }

    /// Applies `reading`'s records in order to `snapshot`, read at `observedAt`; records stamped
    /// before `attachedAt` (by a whole second: AWS rounds the stamp down) are left out.
    public func apply(_ reading: StreamReading, attachedAt: Timestamp, to snapshot: [String: SnapshotEntry]) -> Application {
        let rules = LockTableStreamRules(source: source, table: table, layout: layout)
        var result = Application(snapshot: snapshot)
        for shard in reading.shards {
            // Records of a shard are in write order: each was written after the second of the one before began.
            var writtenAfter = shard.previousRecordSeconds.flatMap(LockTableStreamRules.wholeSecond)
            for record in shard.records {
                if let seconds = record.approximateCreationSeconds, seconds.isFinite,
                    seconds + 1 <= attachedAt.secondsSinceEpoch
                {
                    result.skipped += 1
                    continue
                }
                let first = result.events.count
                apply(record, rules: rules, observedAt: reading.completed, to: &result)
                if let writtenAfter {
                    for index in first..<result.events.count { Self.timeByCreated(&result.events[index], writtenAfter: writtenAfter) }
                }
                if let second = record.approximateCreationSeconds.flatMap(LockTableStreamRules.wholeSecond) { writtenAfter = second }
            }
        }
        return result
    }

    /// The acquire's time from the lock record's `Created`, as a scan takes it (README, "How
    /// holds and writes are derived", rule 3): terraform sets `Created` just before it writes
    /// the lock, often in the second before the record's, so `Created` counts when it falls after
    /// the previous record of the shard (the lock was written after that) and no later than the
    /// record's second — the stream's window, as (previous scan, this scan] is a scan's.
    static func timeByCreated(_ event: inout Event, writtenAfter: Timestamp) {
        guard event.kind == .lockAcquired, case .between(_, let notAfter) = event.time, event.details["time_basis"] == "stream",
            let created = event.details["created"]?.stringValue.flatMap(Timestamp.init(parsing:)),
            created > writtenAfter, created <= notAfter
        else { return }
        event.time = .exact(created)
        event.details = event.details.setting("time_basis", to: "created").setting("written_after", to: .string(writtenAfter.rfc3339))
    }

    private func apply(_ record: LockTableStreamRecord, rules: LockTableStreamRules, observedAt: Timestamp, to result: inout Application) {
        let after: LockTableItem?
        switch record.change {
        case .insert?, .modify?:
            guard let image = record.newImage else { return result.events += rules.events(for: record, observedAt: observedAt) }
            after = image
        case .remove?:
            // A REMOVE without its old image still removes the item: the snapshot says what it was.
            after = nil
        case nil:
            return result.events += rules.events(for: record, observedAt: observedAt)
        }
        guard let key = Self.key(of: record) else { return result.events += rules.events(for: record, observedAt: observedAt) }
        let before = result.snapshot[key]
        let afterEntry = after.map(rules.entry(for:))
        result.touched.insert(key)
        if before == afterEntry {
            result.known += 1
            return
        }
        let beforeItem = before.map { entry -> LockTableItem in
            if let old = record.oldImage, rules.entry(for: old) == entry { return old }
            return Self.item(key: key, entry: entry, fallback: record.oldImage)
        }
        var change = record
        change.oldImage = beforeItem
        change.newImage = after
        switch (beforeItem, after) {
        case (nil, _?): change.eventName = LockTableStreamRecord.Change.insert.rawValue
        case (_?, nil): change.eventName = LockTableStreamRecord.Change.remove.rawValue
        case (_?, _?): change.eventName = LockTableStreamRecord.Change.modify.rawValue
        case (nil, nil): return
        }
        var events = rules.events(for: change, observedAt: observedAt)
        if change.eventName != record.eventName {
            // Say what was sent when the snapshot made another change of it (a missed INSERT, …).
            for index in events.indices { events[index].details = events[index].details.setting("stream_event", to: .string(record.eventName)) }
        }
        result.events += events
        if let afterEntry { result.snapshot[key] = afterEntry } else { result.snapshot[key] = nil }
    }

    /// A record's snapshot key: its `LockID`.
    static func key(of record: LockTableStreamRecord) -> String? { record.lockID }

    /// The item a snapshot entry stands for, for the change's old image.
    static func item(key: String, entry: SnapshotEntry, fallback: LockTableItem?) -> LockTableItem {
        switch entry {
        case .lock(let info): return LockTableItem(lockID: key, info: info, digest: nil)
        case .digest(let digest): return LockTableItem(lockID: key, info: nil, digest: digest.isEmpty ? nil : digest)
        default: return fallback ?? LockTableItem(lockID: key, info: nil, digest: nil)
        }
    }

    /// The plan of a read between reconciliations: the records' events and snapshot changes and
    /// the shards' new positions. The scan's coverage does not move.
    public func streamPlan(
        fence: OwnershipFence, stored: StreamCheckpoint, snapshot: [String: SnapshotEntry],
        reading: StreamReading
    ) -> CyclePlan {
        let application = apply(reading, attachedAt: stored.attachedAt, to: snapshot)
        return CyclePlan(
            source: source, fence: fence, status: .pushed(records: reading.recordCount, at: reading.completed),
            cursor: SourceCursor(shardPositions: reading.positions),
            batches: CycleBatches([CycleBatch(diff: application.diff)]))
    }

    /// How a reconciliation found the stream.
    public enum Basis: Sendable {
        /// The stream was read on from its positions: what the scan finds beyond it is a repair.
        case resumed(StreamCheckpoint)
        /// The stream is read from now on (`attachedAt`): the scan is the baseline, no repair.
        case attached(attachedAt: Timestamp)
        /// The stream could not be resumed: a coverage gap from `since` to the scan, which
        /// resynchronises, and the stream is read from now on.
        case resynchronised(reason: String, since: Timestamp, streamARN: String?, attachedAt: Timestamp)
    }

    /// The plan of a reconciliation: `observation` (a consistent scan) and `reading` (the stream,
    /// read after the scan completed) in one commit; `scanPlanner` gives the scan's own rules
    /// (its pause gaps, a missing or restored table), which apply as they are when the table is
    /// missing or was missing.
    public func reconcilePlan(
        checkpoint: SourceCheckpoint, fence: OwnershipFence, snapshot: [String: SnapshotEntry],
        observation: DynamoDBScanObservation, reading: StreamReading?, basis: Basis,
        scanPlanner: DynamoDBCyclePlanner
    ) -> CyclePlan {
        guard case .items(let items) = observation.result, checkpoint.status != .tableMissing else {
            var plan = scanPlanner.plan(checkpoint: checkpoint, snapshot: snapshot, observation: observation)
            plan.fence = fence
            return plan
        }
        let (started, completed) = (observation.started, observation.completed)
        let window = ScanWindow(previousStarted: checkpoint.lastScanStarted, started: started, completed: completed)
        var head: [Event] = []
        let attachedAt: Timestamp
        var repairing = false
        switch basis {
        case .resumed(let stored):
            attachedAt = stored.attachedAt
            repairing = true
        case .attached(let at):
            attachedAt = at
            // Before the stream, the scans' own rule for a pause holds.
            if let gap = CoverageGapRules.pause(
                source: source, keyPrefix: "ddb", mechanism: .dynamodb, checkpoint: checkpoint, started: started,
                completed: completed, threshold: scanPlanner.gapThreshold, table: table)
            {
                head.append(gap)
            }
        case .resynchronised(let reason, let since, let arn, let at):
            attachedAt = at
            head.append(
                CoverageGapRules.gap(
                    key: "ddbs|\(source)|gap|\(since.microseconds)|\(started.microseconds)", source: source, mechanism: .dynamodb,
                    observedAt: completed,
                    details: CoverageGapDetails(
                        from: since, to: started, reason: "stream not resumable: " + reason, table: table,
                        resynchronisedBy: "scan", streamARN: arn)))
        }
        let differ = LockTableDiff(source: source, table: table, layout: layout)
        let current = differ.index(items)
        // Resumed, the stream was read up to the scan and is read again after it: the records
        // after the scan own the items they touch, and the scan diffs the rest against what the
        // stream kept. Attached or resynchronised, the scan is the baseline and the records read
        // after it go on from what it saw (a record the scan already reflects records nothing).
        let scanBase: [String: SnapshotEntry]
        let application: Application
        if repairing {
            application = reading.map { apply($0, attachedAt: attachedAt, to: snapshot) } ?? Application(snapshot: snapshot)
            scanBase = application.snapshot
        } else {
            scanBase = snapshot
            let rules = LockTableStreamRules(source: source, table: table, layout: layout)
            let scanned = current.mapValues { rules.entry(for: $0) }
            application = reading.map { apply($0, attachedAt: attachedAt, to: scanned) } ?? Application(snapshot: scanned)
        }
        let keys = differ.allKeys(previous: scanBase, current: current).filter { !repairing || !application.touched.contains($0) }
        var repaired = 0
        var scanBatches: [CycleBatch] = []
        var index = 0
        while index < keys.count {
            let slice = keys[index..<min(index + chunkSize, keys.count)]
            var diff = differ.diff(previous: scanBase, current: current, keys: slice, window: window)
            if repairing {
                repaired += diff.upserts.count + diff.deletions.count
                for i in diff.events.indices {
                    diff.events[i].details = diff.events[i].details.setting(
                        "reconciled", to: "missed by the stream, found by the reconciliation scan")
                }
            }
            scanBatches.append(CycleBatch(diff: diff))
            index += chunkSize
        }
        let streamBatch = CycleBatch(diff: application.diff)
        // Snapshot changes of one key may be in both (not resumed): the stream's, later, win.
        let batches = repairing ? [CycleBatch(events: head), streamBatch] + scanBatches : [CycleBatch(events: head)] + scanBatches + [streamBatch]
        let streamARN =
            reading?.streamARN
            ?? {
                if case .resumed(let stored) = basis { return stored.streamARN }
                if case .resynchronised(_, _, let arn?, _) = basis { return arn }
                return ""
            }()
        let attachment =
            streamARN.isEmpty
            ? nil
            : SourceCursor.StreamAttachment(
                streamARN: streamARN, attachedAt: attachedAt, readThrough: reading?.completed ?? completed, repaired: repaired,
                restarts: !repairing)
        return CyclePlan(
            source: source, fence: fence, status: .observed(.ok, window: window, items: items.count),
            cursor: SourceCursor(shardPositions: reading?.positions ?? [], stream: attachment),
            batches: CycleBatches(batches),
            recordsGap: head.contains { $0.kind == .coverageGap })
    }
}

extension JSONValue {
    /// This object with `key` set to `value` (a non-object is returned as it is).
    fileprivate func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members[key] = value
        return .object(members)
    }
}
