/// The rules of one DynamoDB lock-table cycle (design.md "Flow"): the scan diffed against the
/// stored snapshot (`LockTableDiff`), a missing table as one `source.table_missing` (never one
/// release per lock) and its return as `source.table_restored`, a pause longer than the
/// threshold as a coverage gap, and the changes in chunks of keys.
public struct DynamoDBCyclePlanner: Sendable {
    /// The source name, `dynamodb:<region>/<table>`.
    public var source: String
    /// The table.
    public var table: String
    /// How workspaces are laid out in the buckets this table locks.
    public var layout: WorkspaceLayout
    /// A pause between successful scans longer than this (seconds) is a coverage gap.
    public var gapThreshold: Double
    /// Keys per batch.
    public var chunkSize: Int
    /// A page of a scan with at least this many new or changed items is committed while the rest
    /// of the table is read (`pagePlan`): a first cycle on a large table writes and derives as it
    /// reads instead of after. Fewer wait for the scan's plan, in its one transaction.
    public var earlyCommitItems = 1000

    /// Rules for one table.
    public init(source: String, table: String, layout: WorkspaceLayout = .standard, gapThreshold: Double = 300, chunkSize: Int = 5000) {
        self.source = source
        self.table = table
        self.layout = layout
        self.gapThreshold = gapThreshold
        self.chunkSize = max(1, chunkSize)
    }

    /// The plan of one page of a scan still running, with the snapshot entries it changes, or nil
    /// when the page changes fewer than `earlyCommitItems` entries (or the table was missing: a
    /// restored table starts afresh in the scan's own plan). Only the page's new and changed
    /// entries: an acquire or a digest seen on it is true of the moment the page arrived
    /// (`received` bounds its time and is when it was observed), while what disappeared is known
    /// only once the whole table is read. Commit it with the source's fence and apply `changes` to
    /// the snapshot the next pages and the scan's plan are made from; that plan then holds the
    /// rest. Keys are diffed in sorted order, in batches of `chunkSize` made as they are committed.
    public func pagePlan(
        checkpoint: SourceCheckpoint, snapshot previous: [String: SnapshotEntry], page items: [LockTableItem],
        started: Timestamp, received: Timestamp
    ) -> (plan: CyclePlan, changes: [String: SnapshotEntry])? {
        guard checkpoint.status != .tableMissing, items.count >= earlyCommitItems else { return nil }
        let differ = LockTableDiff(source: source, table: table, layout: layout)
        let current = differ.index(items)
        var changes: [String: SnapshotEntry] = [:]
        var before: [String: SnapshotEntry] = [:]
        for (key, item) in current {
            let entry = differ.entry(for: item)
            guard previous[key] != entry else { continue }
            changes[key] = entry
            before[key] = previous[key]
        }
        guard changes.count >= earlyCommitItems else { return nil }
        // The batches keep only this page's side of the snapshot, not the whole of it.
        let keys = changes.keys.sorted()
        let window = ScanWindow(previousStarted: checkpoint.lastScanStarted, started: started, completed: received)
        let size = chunkSize
        let batches = CycleBatches([], then: (keys.count + size - 1) / size) { [before] index in
            let slice = keys[(index * size)..<min((index + 1) * size, keys.count)]
            return CycleBatch(diff: differ.diff(previous: before, current: current, keys: slice, window: window))
        }
        let plan = CyclePlan(
            source: source, fence: OwnershipFence(planningFrom: checkpoint), status: .progress(items: items.count, at: received),
            batches: batches)
        return (plan, changes)
    }

    /// The plan for `observation`, made from the source's `checkpoint` and stored `snapshot`.
    public func plan(
        checkpoint: SourceCheckpoint, snapshot previous: [String: SnapshotEntry],
        observation: DynamoDBScanObservation
    ) -> CyclePlan {
        let (started, completed) = (observation.started, observation.completed)
        let window = ScanWindow(previousStarted: checkpoint.lastScanStarted, started: started, completed: completed)
        var head: [Event] = []
        let gap = CoverageGapRules.pause(
            source: source, keyPrefix: "ddb", mechanism: .dynamodb, checkpoint: checkpoint,
            started: started, completed: completed, threshold: gapThreshold, table: table)
        if let gap { head.append(gap) }
        let wasMissing = checkpoint.status == .tableMissing

        switch observation.result {
        case .tableMissing:
            var reset = false
            if !wasMissing {
                // The locks in the table are not released one by one: the table is gone, and the
                // holds end `unknown` through this one event.
                reset = true
                let held = previous.values.compactMap { entry -> String? in
                    guard case .lock(let info) = entry else { return nil }
                    return LockRecordParse.parse(Array(info.utf8)).record?.id
                }.sorted()
                head.append(
                    Event(
                        key: "ddb|\(source)|table_missing|\(completed.microseconds)", kind: .sourceTableMissing, source: source,
                        mechanism: .dynamodb, time: window.bounds, observedAt: completed,
                        details: TableMissingDetails(table: table, heldLockIDs: held, itemsBefore: previous.count)))
            }
            return CyclePlan(
                source: source, fence: OwnershipFence(planningFrom: checkpoint),
                status: .observed(.tableMissing, window: window, items: 0), cursor: SourceCursor(resetsSnapshot: reset),
                batches: CycleBatches([CycleBatch(events: head)]), recordsGap: gap != nil)

        case .items(let items):
            if wasMissing {
                // A restored table starts from nothing: every item in it is new.
                head.append(
                    Event(
                        key: "ddb|\(source)|table_restored|\(completed.microseconds)", kind: .sourceTableRestored, source: source,
                        mechanism: .dynamodb, time: window.bounds, observedAt: completed, details: TableRestoredDetails(table: table)))
            }
            let differ = LockTableDiff(source: source, table: table, layout: layout)
            let before = wasMissing ? [:] : previous
            let current = differ.index(items)
            let keys = differ.allKeys(previous: before, current: current)
            let size = chunkSize
            // Diffing the sorted keys slice by slice gives the events of one diff of everything.
            let chunks = (keys.count + size - 1) / size
            let batches = CycleBatches([CycleBatch(events: head)], then: chunks) { index in
                let slice = keys[(index * size)..<min((index + 1) * size, keys.count)]
                return CycleBatch(diff: differ.diff(previous: before, current: current, keys: slice, window: window))
            }
            return CyclePlan(
                source: source, fence: OwnershipFence(planningFrom: checkpoint),
                status: .observed(.ok, window: window, items: items.count), cursor: SourceCursor(resetsSnapshot: wasMissing),
                batches: batches, recordsGap: gap != nil)
        }
    }
}
