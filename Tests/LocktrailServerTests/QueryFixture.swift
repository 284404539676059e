import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailHTTP
import LocktrailPostgres
import LocktrailServer
import LocktrailStore
import LocktrailTestSupport
import Logging
import ServiceLifecycle
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
    /// The lock left behind and then force-unlocked.
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
            _ = try await source.runCycle(store: SourceStore(pool: pool), now: { QueryFixture.now() }, logger: Logger(label: "test"))
            try await pool.withConnection { try Derivation.catchUp(on: $0) }
        }
        tfState = "\(bucket)/app/terraform.tfstate"

        // A normal apply, seen held by one scan and released by the next.
        try await cycle()
        let apply = try project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=6"])
        applyRecord = try await Self.waitForLock(tfState, table: table, client: client, during: apply)
        // Between Created and the start of the scan that sees the lock: certainly held.
        seenHeldAt = Self.now()
        try await cycle()
        _ = await apply.wait()
        try await cycle()

        // A lock left behind (as a killed apply leaves it, written as terraform writes it), then
        // force-unlocked by someone else; the hook's event is synthetic, the removal real.
        let leftID = "e0f36d96-724c-5a74-97a1-616c844450d8"
        let leftInfo =
            #"{"ID":"\#(leftID)","Operation":"OperationTypeApply","Info":"","Who":"erin@build-7","Version":"1.11.4","Created":"\#(Self.now().rfc3339)","Path":"\#(tfState)"}"#
        killedRecord = LockRecordParse.parse(Array(leftInfo.utf8)).record!
        try await client.putItem(table: table, item: ["LockID": .string(tfState), "Info": .string(leftInfo)])
        try await cycle()
        let state = tfState
        _ = try await EventLog.append(
            [
                Event(
                    key: "hook|force|\(leftID)", kind: .lockForceUnlocked, source: "hook", mechanism: .hook, time: .exact(Self.now()),
                    observedAt: Self.now(), lockID: leftID, state: state, workspace: "default",
                    details: [
                        "actor": "bob@ops", "reason": "apply killed; lock left behind", "command": "terraform force-unlock",
                        "outcome": "unlocked",
                    ])
            ], pool: pool)
        try await client.deleteItem(table: table, key: ["LockID": .string(tfState)])
        try await cycle()

        // Exact lock-file history (as S3 versions give it) with writes in and out of a hold.
        let t0 = Self.now().adding(seconds: -3600)
        let exact = exactState, stale = staleState, staleID = staleLockID
        func lockDetails(_ who: String) -> JSONValue {
            [
                "who": .string(who), "operation": "OperationTypeApply", "version": "1.11.4", "created": .string(t0.rfc3339), "path": .string(exact),
                "time_basis": "last_modified",
            ]
        }
        let l1 = "11111111-1111-1111-1111-111111111111"
        func s3(
            _ key: String, _ kind: EventKind, _ time: Timestamp, lock: String? = nil, state: String = exact, mechanism: Mechanism, details: JSONValue
        ) -> Event {
            Event(
                key: key, kind: kind, source: "s3:exact-bucket", mechanism: mechanism, time: .exact(time), observedAt: time,
                lockID: lock, state: state, workspace: "default", details: details)
        }
        _ = try await EventLog.append(
            [
                s3("x1", .lockAcquired, t0, lock: l1, mechanism: .s3Lockfile, details: lockDetails("carol@ci")),
                s3("x2", .stateWritten, t0.adding(seconds: 30), mechanism: .s3State, details: ["etag": "e1", "serial": 7, "lineage": "L"]),
                s3("x3", .lockReleased, t0.adding(seconds: 60), lock: l1, mechanism: .s3Lockfile, details: lockDetails("carol@ci")),
                s3("x4", .stateWritten, t0.adding(seconds: 600), mechanism: .s3State, details: ["etag": "e2", "serial": 6, "lineage": "L"]),
                // A lock held for three days by a run that is still heartbeating.
                Event(
                    key: "x5", kind: .runStarted, source: "hook", mechanism: .hook, time: .exact(t0.adding(seconds: -3 * 86_400)),
                    observedAt: t0, lockID: staleID, state: stale, details: ["run_id": "run-42", "who": "dave@laptop", "heartbeat_seconds": 120]),
                s3(
                    "x6", .lockAcquired, t0.adding(seconds: -3 * 86_400 + 1), lock: staleID, state: stale, mechanism: .s3Lockfile,
                    details: ["who": "dave@laptop", "operation": "OperationTypeApply", "path": .string(stale)]),
                Event(
                    key: "x7", kind: .runHeartbeat, source: "hook", mechanism: .hook, time: .exact(Self.now().adding(seconds: -60)),
                    observedAt: Self.now(), state: stale, details: ["run_id": "run-42"]),
            ], pool: pool)
        try await pool.withConnection { try Derivation.catchUp(on: $0) }

        readToken = try await pool.withConnection { try Tokens.create(name: "reader", scopes: [.read], on: $0) }
        ingestToken = try await pool.withConnection { try Tokens.create(name: "hooks", scopes: [.ingest], on: $0) }
        baseURL = try await Self.startServer(pool: pool)
    }

    /// The lock `run` holds while it changes resources. Terraform may take and drop a short lock
    /// before the operation's own, so only a lock still there half a second later counts.
    static func waitForLock(_ lockPath: String, table: String, client: DynamoDBClient, during run: Spawned) async throws -> LockRecord {
        func current() async throws -> LockRecord? {
            guard let item = try await client.getItem(table: table, key: ["LockID": .string(lockPath)]),
                case .string(let info)? = item["Info"]
            else { return nil }
            return LockRecordParse.parse(Array(info.utf8)).record
        }
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            if let first = try await current() {
                try await Task.sleep(for: .milliseconds(500))
                if let again = try await current(), again.id == first.id { return again }
                continue
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TerraformFailure(command: "(waiting for the lock on \(lockPath))", output: "no lock item appeared; terraform said:\n" + run.output)
    }

    /// Starts the API on a free port and returns its base URL; it runs until the test process exits.
    static func startServer(
        pool: PostgresPool, logger: Logger = Logger(label: "test.server"), web: WebConfiguration = WebConfiguration()
    ) async throws -> String {
        let port = Mutex<Int?>(nil)
        let app = APIServer.makeApplication(store: Store(pool: pool), host: "127.0.0.1", port: 0, logger: logger, web: web) { p in
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
