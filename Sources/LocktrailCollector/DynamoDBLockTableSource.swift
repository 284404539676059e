public import LocktrailAWS
public import LocktrailCore
public import LocktrailStore
public import Logging

/// A DynamoDB lock table as a polling source: a paginated, strongly consistent Scan, diffed
/// against the stored snapshot, committed with its events in one transaction.
public struct DynamoDBLockTableSource: PollingSource {
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
    /// How the table's stream is read; nil: scans only (`--no-stream`).
    public let stream: DynamoDBStreamSettings?
    /// The fencing token of the lease this collector holds on the source, for every plan's
    /// fence; nil without leases. The stream belongs to its lock-table source: a lease on the
    /// source covers its shards, so no reader of a shard needs a claim of its own.
    public var leaseToken: @Sendable () -> UInt64? = { nil }
    /// Items per Scan page (the request's `Limit`); nil: DynamoDB's pages of up to 1 MB.
    public var scanPageLimit: Int?
    /// A page with at least this many new or changed items is committed while the scan reads on
    /// (`DynamoDBCyclePlanner.earlyCommitItems`).
    public var earlyCommitItems = 1000
    let session: LockTableStreamSession?

    /// A source for `table`; `region` only names it. With `stream`, the table's stream is read
    /// when it has one with both images, and the scan becomes the reconciliation.
    public init(
        table: String, region: String, client: DynamoDBClient, layout: WorkspaceLayout = .standard, gapThreshold: Double = 300,
        stream: DynamoDBStreamSettings? = nil
    ) {
        self.name = "dynamodb:\(region)/\(table)"
        self.table = table
        self.client = client
        self.layout = layout
        self.gapThreshold = gapThreshold
        self.stream = stream
        self.session = stream.map { LockTableStreamSession(settings: $0) }
    }

    /// The rules this source's cycles follow.
    public var planner: DynamoDBCyclePlanner {
        var planner = DynamoDBCyclePlanner(source: name, table: table, layout: layout, gapThreshold: gapThreshold)
        planner.earlyCommitItems = earlyCommitItems
        return planner
    }

    /// The rules of its stream.
    public var streamPlanner: DynamoDBStreamPlanner {
        DynamoDBStreamPlanner(source: name, table: table, layout: layout)
    }

    /// The fence of a plan made from `checkpoint`, with the lease token if there is one.
    func fence(from checkpoint: SourceCheckpoint) -> OwnershipFence {
        OwnershipFence(planningFrom: checkpoint, leaseToken: leaseToken())
    }

    /// One cycle: with a readable stream, a read of it (every second) or, every reconcile
    /// interval, a reconciliation scan; otherwise a scan. A failure is recorded against the source
    /// (coverage does not advance) and rethrown.
    public func runCycle(store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport {
        if let session { return try await session.cycle(self, store: store, now: now, logger: logger) }
        return try await scanCycle(store: store, now: now)
    }

    /// Scans the table once and commits what changed. A page that changes many entries (a first
    /// cycle, a large backfill) is committed and derived while the next pages are read
    /// (`DynamoDBCyclePlanner.pagePlan`), one page after another in the background; the scan's own
    /// plan, made from the snapshot those pages moved on, commits the rest and the coverage.
    func scanCycle(store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp) async throws -> CycleReport {
        let start = try await store.load(name, kind: .dynamodb)
        let planner = self.planner
        let fence = self.fence(from: start.checkpoint)
        var snapshot = start.snapshot
        let early = EarlyCommits(store: store)
        var plan: CyclePlan
        do {
            let observation = try await observe(now: now) { page, started, received in
                guard
                    var (pagePlan, changes) = planner.pagePlan(
                        checkpoint: start.checkpoint, snapshot: snapshot, page: page, started: started, received: received)
                else { return }
                pagePlan.fence = fence
                snapshot.merge(changes) { _, new in new }
                try await early.enqueue(pagePlan)
            }
            try await early.finish()
            // The scan's items go once planned: the plan keeps only its index of them.
            plan = planner.plan(checkpoint: start.checkpoint, snapshot: snapshot, observation: observation)
        } catch {
            // Pages already committed stay: each is true of the moment it was read, and the
            // snapshot they moved on keeps the next cycle from recording them again.
            try? await early.finish()
            await PollingCycle.recordFailure(error, source: name, checkpoint: start.checkpoint, store: store, now: now)
            throw error
        }
        plan.fence = fence
        var report = try await PollingCycle.commit(plan, store: store)
        report.appended += await early.appended
        report.duplicates += await early.duplicates
        return report
    }

    /// One paginated, strongly consistent Scan of the table; `page` sees each page's items as it
    /// arrives, with the scan's start and the page's arrival.
    func observe(
        now: @escaping @Sendable () -> Timestamp,
        page: (_ items: [LockTableItem], _ started: Timestamp, _ received: Timestamp) async throws -> Void = { _, _, _ in }
    ) async throws -> DynamoDBScanObservation {
        let started = now()
        var items: [LockTableItem] = []
        do {
            for try await response in client.scanPages(table: table, consistentRead: true, pageLimit: scanPageLimit) {
                let pageItems = response.items.map(Self.lockTableItem)
                items.append(contentsOf: pageItems)
                try await page(pageItems, started, now())
            }
        } catch let error as AWSError where error.code == .resourceNotFound {
            return DynamoDBScanObservation(.tableMissing, started: started, completed: now())
        }
        return DynamoDBScanObservation(.items(items), started: started, completed: now())
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
