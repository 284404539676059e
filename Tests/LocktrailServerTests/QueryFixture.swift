import Foundation
import Logging
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailServer
import LocktrailStore
import LocktrailTestSupport
import Synchronization

/// One database filled by real collector runs against real terraform, plus synthetic events for
/// what no collector emits yet (lock-file versions, hooks), and a running server on it. Built once
/// for the suites of this target: terraform runs take seconds.
struct QueryFixture: Sendable {
    let db: TestDatabase
    let bucket: String
    /// The state terraform locked through DynamoDB.
    let tfState: String
    /// The apply that finished normally.
    let applyRecord: LockRecord
    /// A moment after the lock appeared and before the scan that saw it began.
    let seenHeldAt: Timestamp
    /// The apply killed and then force-unlocked.
    let killedRecord: LockRecord
    /// A state with exact lock-file history and an unlocked write, synthetic.
    let exactState = "exact-bucket/net/terraform.tfstate"
    /// A state still locked for days by a run that is alive, synthetic.
    let staleState = "exact-bucket/old/terraform.tfstate"
    let staleLockID = "dddddddd-dddd-dddd-dddd-dddddddddddd"
    /// Server address and tokens.
    let baseURL: String
    let readToken: String
    let ingestToken: String

    static let shared = Task { try await QueryFixture() }

    static func now() -> Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    init() async throws {
        let table = TestAWS.uniqueName("locks")
        bucket = TestAWS.uniqueName("state")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        try await TestAWS.createBucket(bucket)
        let project = try TerraformProject(bucket: bucket, dynamoDBTable: table)
        try await project.initialize()
        db = try await TestDatabase.make(poolSize: 8)
        let source = DynamoDBLockTableSource(table: table, region: "us-east-1", client: client, layout: WorkspaceLayout(prefix: "env:"))
        let pool = db.pool
        func cycle() async throws {
            _ = try await source.runCycle(pool: pool, now: { QueryFixture.now() }, logger: Logger(label: "test"))
            try await pool.withConnection { try Derivation.catchUp(on: $0) }
        }
        tfState = "\(bucket)/app/terraform.tfstate"

        // A normal apply, seen held by one scan and released by the next.
        try await cycle()
        let apply = try project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=3"])
        applyRecord = try await Self.waitForLock(tfState, table: table, client: client, during: apply)
        // Between Created and the start of the scan that sees the lock: certainly held.
        seenHeldAt = Self.now()
        try await cycle()
        _ = await apply.wait()
        try await cycle()

        // An apply killed while holding the lock, then force-unlocked by someone else (the hook's event is synthetic).
        let killed = try project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        killedRecord = try await Self.waitForLock(tfState, table: table, client: client, during: killed)
        try await cycle()
        killed.signal(SIGKILL)
        _ = await killed.wait()
        let record = killedRecord, state = tfState
        _ = try await EventLog.append([Event(
            key: "hook|force|\(record.id)", kind: .lockForceUnlocked, source: "hook", mechanism: "hook", time: .exact(Self.now()),
            observedAt: Self.now(), lockID: record.id, state: state, workspace: "default",
            details: ["actor": "bob@ops", "reason": "apply killed; lock left behind", "command": "terraform force-unlock"])], pool: pool)
        _ = try await project.run(["force-unlock", "-force", "-no-color", record.id])
        try await cycle()

        // Exact lock-file history (as S3 versions give it) with writes in and out of a hold.
        let t0 = Self.now().adding(seconds: -3600)
        let exact = exactState, stale = staleState, staleID = staleLockID
        func lockDetails(_ who: String) -> JSONValue {
            ["who": .string(who), "operation": "OperationTypeApply", "version": "1.11.4", "created": .string(t0.rfc3339), "path": .string(exact)]
        }
        let l1 = "11111111-1111-1111-1111-111111111111"
        func s3(_ key: String, _ kind: EventKind, _ time: Timestamp, lock: String? = nil, state: String = exact, mechanism: String, details: JSONValue) -> Event {
            Event(key: key, kind: kind, source: "s3:exact-bucket", mechanism: mechanism, time: .exact(time), observedAt: time,
                  lockID: lock, state: state, workspace: "default", details: details)
        }
        _ = try await EventLog.append([
            s3("x1", .lockAcquired, t0, lock: l1, mechanism: "s3-lockfile", details: lockDetails("carol@ci")),
            s3("x2", .stateWritten, t0.adding(seconds: 30), mechanism: "s3-state", details: ["etag": "e1", "serial": 7, "lineage": "L"]),
            s3("x3", .lockReleased, t0.adding(seconds: 60), lock: l1, mechanism: "s3-lockfile", details: lockDetails("carol@ci")),
            s3("x4", .stateWritten, t0.adding(seconds: 600), mechanism: "s3-state", details: ["etag": "e2", "serial": 6, "lineage": "L"]),
            // A lock held for three days by a run that is still heartbeating.
            Event(key: "x5", kind: .runStarted, source: "hook", mechanism: "hook", time: .exact(t0.adding(seconds: -3 * 86_400)),
                  observedAt: t0, lockID: staleID, state: stale, details: ["run_id": "run-42", "who": "dave@laptop"]),
            s3("x6", .lockAcquired, t0.adding(seconds: -3 * 86_400 + 1), lock: staleID, state: stale, mechanism: "s3-lockfile",
               details: ["who": "dave@laptop", "operation": "OperationTypeApply", "path": .string(stale)]),
            Event(key: "x7", kind: .runHeartbeat, source: "hook", mechanism: "hook", time: .exact(Self.now().adding(seconds: -60)),
                  observedAt: Self.now(), state: stale, details: ["run_id": "run-42"]),
        ], pool: pool)
        try await pool.withConnection { try Derivation.catchUp(on: $0) }

        readToken = try await pool.withConnection { try Tokens.create(name: "reader", scopes: [.read], on: $0) }
        ingestToken = try await pool.withConnection { try Tokens.create(name: "hooks", scopes: [.ingest], on: $0) }
        baseURL = try await Self.startServer(pool: pool)
    }

    /// The lock `run` holds while it changes resources. Terraform may take and drop a short lock
    /// before the operation's own, so wait until the run is applying.
    static func waitForLock(_ lockPath: String, table: String, client: DynamoDBClient, during run: Spawned) async throws -> LockRecord {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let output = run.output
            guard output.contains("Modifying...") || output.contains("Creating...") else {
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            if let item = try await client.getItem(table: table, key: ["LockID": .string(lockPath)]),
               case .string(let info)? = item["Info"], let record = LockRecordParse.parse(Array(info.utf8)).record {
                return record
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TerraformFailure(command: "(waiting for the lock on \(lockPath))", output: "no lock item appeared")
    }

    /// Starts the API on a free port and returns its base URL; it runs until the test process exits.
    static func startServer(pool: PostgresPool) async throws -> String {
        let port = Mutex<Int?>(nil)
        let app = APIServer.makeApplication(pool: pool, host: "127.0.0.1", port: 0, logger: Logger(label: "test.server")) { p in
            port.withLock { $0 = p }
        }
        Task { try await app.run() }
        for _ in 0..<500 {
            if let p = port.withLock({ $0 }) { return "http://127.0.0.1:\(p)" }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TerraformFailure(command: "(starting the server)", output: "it did not start")
    }
}

/// Requests to the fixture's server over the project's libcurl transport.
struct APIClient {
    let base: String
    let transport = CurlHTTPClient()

    func get(_ pathAndQuery: String, token: String?) async throws -> (status: Int, json: JSONValue?, text: String) {
        var headers: HTTPHeaders = [:]
        if let token { headers.add(name: "Authorization", value: "Bearer " + token) }
        let response = try await transport.send(HTTPRequest(method: "GET", url: base + pathAndQuery, headers: headers))
        return (response.status, try? JSONParser.parse(response.body, maxDepth: 128), response.bodyText)
    }
}

extension JSONValue {
    /// The elements, if this is an array.
    var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}
