import Logging
import LocktrailAWS
import LocktrailCore
import LocktrailPostgres
import LocktrailStore

/// What one collection cycle did.
public struct CycleReport: Sendable, Equatable {
    /// The source.
    public var source: String
    /// Items the scan saw.
    public var items: Int
    /// Events appended.
    public var appended: Int
    /// Events skipped as already recorded.
    public var duplicates: Int
    /// Whether the table was missing.
    public var tableMissing: Bool
    /// Whether a coverage gap was recorded before this scan.
    public var gapRecorded: Bool
}

/// A DynamoDB lock table as a polling source: a paginated, strongly consistent Scan, diffed
/// against the stored snapshot, committed with its events in one transaction.
public struct DynamoDBLockTableSource: Sendable {
    /// The source name, `dynamodb:<region>/<table>`.
    public let name: String
    /// The table.
    public let table: String
    /// The client for the table's account and region.
    public let client: DynamoDBClient
    /// How workspaces are laid out in the buckets this table locks.
    public let layout: WorkspaceLayout
    /// A pause between successful scans longer than this is recorded as a coverage gap.
    public let gapThreshold: Double

    /// A source for `table`; `region` only names it.
    public init(table: String, region: String, client: DynamoDBClient, layout: WorkspaceLayout = .standard, gapThreshold: Double = 300) {
        self.name = "dynamodb:\(region)/\(table)"
        self.table = table
        self.client = client
        self.layout = layout
        self.gapThreshold = gapThreshold
    }

    /// Scans the table once and records what changed. A failure is recorded against the source
    /// (coverage does not advance) and rethrown.
    public func runCycle(pool: PostgresPool, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport {
        let (name, table) = (self.name, self.table)
        let (state, previous) = try await pool.withConnection { connection in
            try SourceStore.ensure(name, kind: "dynamodb", on: connection)
            return (try SourceStore.state(of: name, on: connection), try SourceStore.snapshot(of: name, on: connection))
        }
        let started = now()
        var items: [LockTableItem] = []
        var missing = false
        do {
            for try await page in client.scanPages(table: table, consistentRead: true) {
                items.reserveCapacity(items.count + page.items.count)
                for item in page.items { items.append(Self.lockTableItem(item)) }
            }
        } catch let error as AWSError where error.code == .resourceNotFound {
            missing = true
        } catch {
            await PollingCycle.recordFailure(error, source: name, pool: pool, now: now)
            throw error
        }
        let completed = now()
        let window = ScanWindow(previousStarted: state?.lastScanStarted, started: started, completed: completed)

        var events: [Event] = []
        let gapEvent = PollingCycle.coverageGap(source: name, keyPrefix: "ddb", mechanism: "dynamodb", state: state, started: started,
                                                completed: completed, threshold: gapThreshold, details: ["table": .string(table)])
        let gap = gapEvent != nil
        if let gapEvent { events.append(gapEvent) }
        var clear = false
        var status = "ok"
        var current: [String: LockTableItem] = [:]
        var keys: [String] = []
        let differ = LockTableDiff(source: name, table: table, layout: layout)
        let itemCount = items.count
        if missing {
            status = "table_missing"
            if state?.status != "table_missing" {
                clear = true
                let held = previous.filter { $0.value.kind == .lock }
                    .compactMap { LockRecordParse.parse(Array($0.value.value.utf8)).record?.id }.sorted()
                events.append(Event(
                    key: "ddb|\(name)|table_missing|\(completed.microseconds)", kind: .sourceTableMissing, source: name,
                    mechanism: "dynamodb", time: window.bounds, observedAt: completed,
                    details: ["table": .string(table), "held_lock_ids": .array(held.map(JSONValue.string)), "items_before": .int(Int64(previous.count))]))
            }
        } else {
            if state?.status == "table_missing" {
                clear = true
                events.append(Event(
                    key: "ddb|\(name)|table_restored|\(completed.microseconds)", kind: .sourceTableRestored, source: name,
                    mechanism: "dynamodb", time: window.bounds, observedAt: completed, details: ["table": .string(table)]))
            }
            current = differ.index(items)
            items = []  // the index holds them now
            keys = differ.allKeys(previous: clear ? [:] : previous, current: current)
        }
        let commit = CycleCommit(source: name, expectedPrevious: state?.lastScanCompleted, clearSnapshot: clear,
                                 status: status, window: window, itemCount: itemCount)
        let (base, allKeys, table_current) = (events, keys, current)
        let before = clear ? [:] : previous
        // Chunks of keys: a table of 100,000 states never sits in memory as 100,000 events.
        let outcome = try await pool.withConnection { connection in
            try SourceStore.commit(commit, on: connection) { writer in
                try writer.write(events: base, diff: SnapshotDiff())
                var start = 0
                while start < allKeys.count {
                    let slice = allKeys[start..<min(start + 5000, allKeys.count)]
                    let diff = differ.diff(previous: before, current: table_current, keys: slice, window: window)
                    try writer.write(events: diff.events, diff: diff)
                    start += 5000
                }
            }
        }
        return CycleReport(source: name, items: itemCount, appended: outcome.appended, duplicates: outcome.duplicates,
                           tableMissing: missing, gapRecorded: gap)
    }

    /// An item without AWS types: the three attributes Terraform writes, the rest in wire shape.
    static func lockTableItem(_ item: DynamoDBItem) -> LockTableItem {
        var result = LockTableItem(lockID: nil, info: nil, digest: nil)
        for (name, value) in item {
            switch (name, value) {
            case ("LockID", .string(let s)): result.lockID = s
            case ("Info", .string(let s)): result.info = s
            case ("Digest", .string(let s)): result.digest = s
            default: result.otherAttributes[name] = json(value)
            }
        }
        return result
    }

    /// A DynamoDB value in its wire shape as JSON.
    static func json(_ value: DynamoDBAttributeValue) -> JSONValue {
        switch value {
        case .string(let s): return ["S": .string(s)]
        case .number(let n): return ["N": .string(n)]
        case .binary(let b): return ["B": .string(base64(b))]
        case .bool(let b): return ["BOOL": .bool(b)]
        case .null: return ["NULL": true]
        case .map(let m): return ["M": .object(m.mapValues(json))]
        case .list(let l): return ["L": .array(l.map(json))]
        case .stringSet(let s): return ["SS": .array(s.map(JSONValue.string))]
        case .numberSet(let s): return ["NS": .array(s.map(JSONValue.string))]
        case .binarySet(let s): return ["BS": .array(s.map { .string(base64($0)) })]
        }
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        RawObservation.json(bytes, limit: .max)["base64"]?.stringValue ?? ""
    }
}
