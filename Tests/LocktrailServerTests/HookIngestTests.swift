import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailHTTP
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import LocktrailWrapper
import Logging
import Testing

/// `POST /v1/hooks/events` on a real server and database, and the wrapper's spool flushed into it.
@Suite("Hook ingest", .serialized)
struct HookIngestTests {
    struct Server {
        let db: TestDatabase
        let url: String
        let ingest: String
        let read: String
        let revoked: String

        init() async throws {
            db = try await TestDatabase.make(poolSize: 6)
            (ingest, read, revoked) = try await db.pool.withConnection { c in
                let i = try Tokens.create(name: "ingest", scopes: [.ingest], on: c)
                let r = try Tokens.create(name: "read", scopes: [.read], on: c)
                let v = try Tokens.create(name: "revoked", scopes: [.ingest], on: c)
                _ = try Tokens.revoke(name: "revoked", on: c)
                return (i, r, v)
            }
            url = try await QueryFixture.startServer(pool: db.pool)
        }

        func post(_ body: [UInt8], token: String?) async throws -> (status: Int, json: JSONValue?) {
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            if let token { headers.add(name: "Authorization", value: "Bearer " + token) }
            let r = try await CurlHTTPClient().send(HTTPRequest(method: "POST", url: url + "/v1/hooks/events", headers: headers, body: body))
            return (r.status, try? JSONParser.parse(r.body))
        }

        func events() async throws -> [Event] {
            try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 10_000, on: $0) }.map(\.event)
        }
    }

    static func event(
        _ id: String = UUID().uuidString, kind: String = "run.started", time: String = "2026-11-22T10:00:00.5Z",
        details: [String: JSONValue] = ["who": "alice@h"]
    ) -> JSONValue {
        [
            "id": .string(id), "kind": .string(kind), "time": .string(time), "run_id": "run-1", "state": "b/app.tfstate",
            "details": .object(details),
        ]
    }

    static func batch(_ events: [JSONValue]) -> [UInt8] { CanonicalJSON.encode(["events": .array(events)]) }

    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    /// A terraform project locking with a fresh DynamoDB table, and the collector source for it.
    static func dynamoDBProject() async throws -> (TerraformProject, String, DynamoDBClient, DynamoDBLockTableSource) {
        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        let bucket = TestAWS.uniqueName("state")
        try await TestAWS.createBucket(bucket)
        let project = try TerraformProject(bucket: bucket, dynamoDBTable: table)
        try await project.initialize()
        return (project, table, client, DynamoDBLockTableSource(table: table, region: "us-east-1", client: client))
    }

    @Test("tokens: missing, revoked, wrong scope")
    func auth() async throws {
        let s = try await Server()
        let body = Self.batch([Self.event()])
        #expect(try await s.post(body, token: nil).status == 401)
        #expect(try await s.post(body, token: "lt_nonsense").status == 401)
        #expect(try await s.post(body, token: s.revoked).status == 401)
        let wrongScope = try await s.post(body, token: s.read)
        #expect(wrongScope.status == 403)
        #expect(wrongScope.json?["error"]?.stringValue?.contains("ingest") == true)
        // And an ingest token cannot read.
        let read = try await CurlHTTPClient().send(
            HTTPRequest(method: "GET", url: s.url + "/v1/current", headers: ["Authorization": "Bearer " + s.ingest]))
        #expect(read.status == 403)
        #expect(try await s.events().isEmpty)
    }

    @Test(
        "bad payloads get 400 or 413 naming the field, and record nothing",
        arguments: [
            (Array("{not json".utf8), 400, "body"),
            (Array("{\"events\": 3}".utf8), 400, "events"),
            (Array("{\"events\": []}".utf8), 400, "events"),
            (HookIngestTests.batch([["id": "a", "kind": "run.started", "time": 5, "run_id": "r"]]), 400, "events[0].time"),
            (
                HookIngestTests.batch([HookIngestTests.event(), ["id": "b", "kind": "run.started", "time": "yesterday", "run_id": "r"]]), 400,
                "events[1].time"
            ),
            (HookIngestTests.batch([HookIngestTests.event(kind: "lock.acquired")]), 400, "events[0].kind"),
            (HookIngestTests.batch([["kind": "run.started", "time": "2026-11-22T10:00:00Z", "run_id": "r"]]), 400, "events[0].id"),
            (
                HookIngestTests.batch([["id": "c", "kind": "run.started", "time": "2026-11-22T10:00:00Z", "run_id": "r", "details": "x"]]), 400,
                "events[0].details"
            ),
            (
                HookIngestTests.batch([["id": "d", "kind": "run.started", "time": "2026-11-22T10:00:00Z", "run_id": "r", "details": nil]]), 400,
                "events[0].details"
            ),
            (
                HookIngestTests.batch([["id": "e", "kind": "run.started", "time": "2026-11-22T10:00:00Z", "run_id": "r", "state": nil]]), 400,
                "events[0].state"
            ),
            // Outside years 1–9999 (UTC): PostgreSQL has no year 0, and RFC 3339 no fifth year digit.
            (HookIngestTests.batch([HookIngestTests.event(), HookIngestTests.event(time: "0000-06-01T00:00:00Z")]), 400, "events[1].time"),
            (HookIngestTests.batch([HookIngestTests.event(time: "0001-01-01T00:30:00+01:00")]), 400, "events[0].time"),
            (HookIngestTests.batch([HookIngestTests.event(time: "9999-12-31T23:30:00-01:00")]), 400, "events[0].time"),
        ] as [([UInt8], Int, String)])
    func badPayloads(_ body: [UInt8], _ status: Int, _ field: String) async throws {
        let s = try await Server()
        let r = try await s.post(body, token: s.ingest)
        #expect(r.status == status)
        #expect(r.json?["field"] == .string(field), "\(String(describing: r.json))")
        #expect(try await s.events().isEmpty)
    }

    @Test("the first and last instants of years 1–9999 are stored, read back and verified")
    func edgeTimes() async throws {
        let s = try await Server()
        let body = Self.batch([Self.event("first", time: "0001-01-01T00:00:00Z"), Self.event("last", time: "9999-12-31T23:59:59.999999Z")])
        let r = try await s.post(body, token: s.ingest)
        #expect(r.status == 200, "\(String(describing: r.json))")
        #expect(try await s.events().map(\.time) == [.exact(Timestamp.supportedRange.lowerBound), .exact(Timestamp.supportedRange.upperBound)])
        #expect(try await s.db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }

    @Test("each event records the ingest token that submitted it, by name; a name the client sends is replaced")
    func provenance() async throws {
        let s = try await Server()
        let ciRunner = try await s.db.pool.withConnection { try Tokens.create(name: "ci-runner", scopes: [.ingest], on: $0) }
        let body = Self.batch([
            Self.event("honest"),
            Self.event("forged", kind: "lock.force_unlocked", details: ["who": "mallory@h", "ingest_token": "release-bot"]),
        ])
        #expect(try await s.post(body, token: ciRunner).status == 200)
        let events = try await s.events()
        #expect(events.map(\.key) == ["hook|honest", "hook|forged"])
        #expect(events.allSatisfy { $0.details["ingest_token"] == "ci-runner" }, "\(events.map(\.details))")
        // The raw observation keeps what the client sent, so the attempt itself stays on record.
        #expect(events.last?.raw?["details"]?["ingest_token"] == "release-bot")
        #expect(try await s.db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
    }

    @Test("an oversized body is refused with 413, too many events with 400")
    func oversized() async throws {
        let s = try await Server()
        let big = Self.event(kind: "run.started")
        var events: [JSONValue] = []
        for _ in 0..<1100 { events.append(big) }
        #expect(try await s.post(Self.batch(events), token: s.ingest).status == 400)  // more events than allowed
        let huge = Array(repeating: UInt8(ascii: " "), count: 2 << 20)
        #expect(try await s.post(huge, token: s.ingest).status == 413)
    }

    @Test("a batch is recorded once, however often it is sent")
    func idempotent() async throws {
        let s = try await Server()
        let body = Self.batch([Self.event("e1"), Self.event("e2", kind: "run.finished")])
        let first = try await s.post(body, token: s.ingest)
        #expect(first.status == 200)
        #expect(first.json?["accepted"] == 2)
        let replay = try await s.post(body, token: s.ingest)
        #expect(replay.json?["accepted"] == 0)
        #expect(replay.json?["duplicates"] == 2)
        let events = try await s.events()
        #expect(events.map(\.key) == ["hook|e1", "hook|e2"])
        #expect(events.first?.source == "hook")
        #expect(events.first?.time == .exact(Timestamp(parsing: "2026-11-22T10:00:00.5Z")!))
    }

    @Test("server up: each wrapper sends its run straight to the server, nothing stays spooled", arguments: Wrapper.allCases)
    func sentDirectly(_ wrapper: Wrapper) async throws {
        let s = try await Server()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wrap-live-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = directory.appendingPathComponent("spool")
        var environment = ProcessInfo.processInfo.environment
        environment.merge(["LOCKTRAIL_URL": s.url, "LOCKTRAIL_TOKEN": s.ingest, "LOCKTRAIL_SPOOL": spool.path]) { _, new in new }
        let run = try Spawned(wrapper.argv(["sh", "-c", "sleep 0.2; exit 3"]), environment: environment, directory: directory)
        #expect(await run.wait() == 3, "\(run.output)")
        #expect(HookSpool(directory: spool).count() == 0)
        let events = try await s.events()
        #expect(events.map(\.kind) == [.runStarted, .runFinished])
        #expect(events.allSatisfy { $0.source == "hook" && $0.mechanism == .hook })
        #expect(events.last?.details["exit_code"] == 3)
        #expect(events.allSatisfy { $0.details["ingest_token"] == "ingest" })  // the wrapper's token, by name
    }

    @Test("a wrapped apply's hold is linked to its run (same state, same Who, running when the lock was created)")
    func holdLinkedToRun() async throws {
        let s = try await Server()
        let (project, table, client, source) = try await Self.dynamoDBProject()
        let now = Self.now
        let lockPath = "\(project.bucket)/\(project.key)"
        let spool = project.directory.appendingPathComponent("spool")
        let argv = Wrapper.executable.argv(["terraform", "apply", "-auto-approve", "-no-color", "-var", "hold=3"])
        let apply = try project.start(
            Array(argv.dropFirst()),
            extraEnvironment: [
                "LOCKTRAIL_URL": s.url, "LOCKTRAIL_TOKEN": s.ingest, "LOCKTRAIL_SPOOL": spool.path,
            ], program: argv[0])
        let holder = try await QueryFixture.waitForLock(lockPath, table: table, client: client, during: apply)
        _ = try await source.runCycle(store: SourceStore(pool: s.db.pool), now: now, logger: Logger(label: "test"))
        #expect(await apply.wait() == 0, "\(apply.output)")
        _ = try await source.runCycle(store: SourceStore(pool: s.db.pool), now: now, logger: Logger(label: "test"))

        let runID = try #require(try await s.events().first { $0.kind == .runStarted }?.details["run_id"]?.stringValue)
        let reader = try await s.db.pool.withConnection { try Tokens.create(name: "reader", scopes: [.read], on: $0) }
        let answer = try await APIClient(base: s.url).get("/v1/holds?state=\(lockPath)", token: reader)
        let hold = try #require(answer.json?["items"]?.arrayValue?.first { $0["lock_id"] == .string(holder.id) }, "\(answer.text)")
        #expect(hold["run_id"] == .string(runID), "\(hold)")
        #expect(hold["release_kind"] == "released")
    }

    @Test("a lock file removed under a wrapped apply: its failed release, which names no lock, makes the hold forced")
    func lockFileRemovedUnderItsHolder() async throws {
        let s = try await Server()
        let bucket = TestAWS.uniqueName("state")
        try await TestAWS.createBucket(bucket, versioned: true)
        let project = try TerraformProject(bucket: bucket, useLockfile: true)
        try await project.initialize()
        let s3 = try TestAWS.s3()
        let source = S3BucketSource(bucket: bucket, prefix: nil, client: s3)
        let now = Self.now
        let argv = Wrapper.executable.argv(["terraform", "apply", "-auto-approve", "-no-color", "-var", "hold=4"])
        let apply = try project.start(
            Array(argv.dropFirst()),
            extraEnvironment: [
                "LOCKTRAIL_URL": s.url, "LOCKTRAIL_TOKEN": s.ingest, "LOCKTRAIL_SPOOL": project.directory.appendingPathComponent("spool").path,
            ], program: argv[0])
        let lockKey = project.key + ".tflock"
        var record: LockRecord?
        for _ in 0..<300 where record == nil {
            if let object = try? await s3.getObject(bucket: bucket, key: lockKey) { record = LockRecordParse.parse(object.body).record }
            if record == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let holder = try #require(record, "\(apply.output)")
        _ = try await s3.deleteObject(bucket: bucket, key: lockKey)  // someone removes it by hand
        #expect(await apply.wait() == 1, "\(apply.output)")  // terraform cannot release what is gone
        #expect(apply.output.contains("Error releasing the state lock"))
        _ = try await source.runCycle(store: SourceStore(pool: s.db.pool), now: now, logger: Logger(label: "test"))

        let failure = try #require(try await s.events().first { $0.kind == .lockReleaseFailed })
        #expect(failure.lockID == nil)  // the lock file's message names no lock
        let reader = try await s.db.pool.withConnection { try Tokens.create(name: "reader", scopes: [.read], on: $0) }
        let answer = try await APIClient(base: s.url).get("/v1/forced", token: reader)
        let hold = try #require(answer.json?["items"]?.arrayValue?.first { $0["lock_id"] == .string(holder.id) }, "\(answer.text)")
        #expect(hold["release_kind"] == "forced")
        #expect(hold["evidence"]?.arrayValue?.contains { $0["kind"] == "lock.release_failed" } == true, "\(hold)")
    }

    @Test(
        "server down: a wrapped force-unlock is spooled, flushed later once, and the hold is forced with its actor",
        arguments: Wrapper.allCases)
    func spoolFlushAndForcedHold(_ wrapper: Wrapper) async throws {
        let s = try await Server()
        let (project, table, client, source) = try await Self.dynamoDBProject()
        let now = Self.now
        let lockPath = "\(project.bucket)/\(project.key)"

        // An apply killed with SIGKILL leaves its lock; the collector sees it.
        let victim = try project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        let holder = try await QueryFixture.waitForLock(lockPath, table: table, client: client, during: victim)
        _ = try await source.runCycle(store: SourceStore(pool: s.db.pool), now: now, logger: Logger(label: "test"))
        victim.signal(SIGKILL)
        _ = await victim.wait()

        // force-unlock under wrap while the server is unreachable: spooled.
        let spool = project.directory.appendingPathComponent("spool")
        let env = ["LOCKTRAIL_SPOOL": spool.path, "LOCKTRAIL_TOKEN": s.ingest]
        let unlockArgv = wrapper.argv(["terraform", "force-unlock", "-force", holder.id])
        let unlock = try project.start(
            Array(unlockArgv.dropFirst()),
            extraEnvironment: env.merging(["LOCKTRAIL_URL": "http://127.0.0.1:9"]) { _, b in b },
            program: unlockArgv[0])
        #expect(await unlock.wait() == 0, "\(unlock.output)")
        let spooled = HookSpool(directory: spool).pending().count
        #expect(spooled == 3)  // run.started, lock.force_unlocked, run.finished
        _ = try await source.runCycle(store: SourceStore(pool: s.db.pool), now: now, logger: Logger(label: "test"))

        // The server is back: flush sends everything once; a second flush has nothing to send.
        let flushEnv = env.merging(["LOCKTRAIL_URL": s.url]) { _, b in b }
        let flushArgv = wrapper.flushArgv
        let flush = try project.start(Array(flushArgv.dropFirst()), extraEnvironment: flushEnv, program: flushArgv[0])
        #expect(await flush.wait() == 0, "\(flush.output)")
        #expect(flush.output.contains("sent 3"))
        let again = try project.start(Array(flushArgv.dropFirst()), extraEnvironment: flushEnv, program: flushArgv[0])
        #expect(await again.wait() == 0)
        #expect(again.output.contains("sent 0"))
        let hookEvents = try await s.events().filter { $0.source == "hook" }
        #expect(hookEvents.count == 3)
        #expect(hookEvents.allSatisfy { $0.details["ingest_token"] == "ingest" })  // flushed later, still by that token
        let forced = try #require(hookEvents.first { $0.kind == .lockForceUnlocked })
        #expect(forced.lockID == holder.id)

        // The derived hold says forced, with the actor.
        let answer = try await APIClient(base: s.url).get(
            "/v1/forced",
            token: try await s.db.pool.withConnection {
                try Tokens.create(name: "reader", scopes: [.read], on: $0)
            })
        #expect(answer.status == 200, "\(answer.text)")
        let hold = try #require(answer.json?["items"]?.arrayValue?.first { $0["lock_id"] == .string(holder.id) }, "\(answer.text)")
        #expect(hold["release_kind"] == "forced")
        #expect(hold["forced_by"]?.stringValue?.contains("@") == true)
    }
}
