public import Logging
public import LocktrailAWS
public import LocktrailCore
public import LocktrailStore

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

    /// A source for `table`; `region` only names it.
    public init(table: String, region: String, client: DynamoDBClient, layout: WorkspaceLayout = .standard, gapThreshold: Double = 300) {
        self.name = "dynamodb:\(region)/\(table)"
        self.table = table
        self.client = client
        self.layout = layout
        self.gapThreshold = gapThreshold
    }

    /// The rules this source's cycles follow.
    public var planner: DynamoDBCyclePlanner {
        DynamoDBCyclePlanner(source: name, table: table, layout: layout, gapThreshold: gapThreshold)
    }

    /// Scans the table once and commits what changed. A failure is recorded against the source
    /// (coverage does not advance) and rethrown.
    public func runCycle(store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport {
        let start = try await store.load(name, kind: .dynamodb)
        let plan: CyclePlan
        do {
            // The scan's items go once planned: the plan keeps only its index of them.
            plan = planner.plan(checkpoint: start.checkpoint, snapshot: start.snapshot, observation: try await observe(now: now))
        } catch {
            await PollingCycle.recordFailure(error, source: name, checkpoint: start.checkpoint, store: store, now: now)
            throw error
        }
        return try await PollingCycle.commit(plan, store: store)
    }

    /// One paginated, strongly consistent Scan of the table.
    func observe(now: @escaping @Sendable () -> Timestamp) async throws -> DynamoDBScanObservation {
        let started = now()
        var items: [LockTableItem] = []
        do {
            for try await page in client.scanPages(table: table, consistentRead: true) {
                items.reserveCapacity(items.count + page.items.count)
                for item in page.items { items.append(Self.lockTableItem(item)) }
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
