import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import LocktrailWrapper
import Logging
import Testing

/// Issue 10's cases end to end: real terraform on the emulator, the real collector sources, the
/// wrapper reporting to a real server, and the answers read with the README's own commands
/// (`locktrail <query> --format json`, the HTTP API). A hold is forced, held, or a write locked
/// only when the evidence proves it.
@Suite("Sound claims with real terraform", .serialized, .timeLimit(.minutes(1)))  // a hang fails its test, not the run
struct SoundClaimsTerraformTests {
    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    // MARK: - Helpers

    /// What one `locktrail` command did; its JSON answer is on stdout, messages on stderr.
    struct CLIResult: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSONValue? { try? JSONParser.parse(Array(stdout.utf8), maxDepth: 128) }
        /// The elements of a list answer (empty when it is not one).
        var items: [JSONValue] { json?.arrayValue ?? [] }
        var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    }

    /// Runs the `locktrail` binary on `db` and the emulator, as a user would. (Foundation's
    /// `Process` is fine here: locktrail starts no grandchildren that could hold its pipes.)
    static func locktrail(_ arguments: [String], db: TestDatabase) async throws -> CLIResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lt-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LocktrailBinary.path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LOCKTRAIL_TOKEN")  // queries go to the database, never to a server
        environment.merge(TestAWS.environment) { _, new in new }
        environment["DATABASE_URL"] = db.conninfo
        process.environment = environment
        process.currentDirectoryURL = scratch
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit(); continuation.resume()
            }
        }
        return CLIResult(
            status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// The hold of `lockID` as `locktrail history --format json` prints it.
    static func hold(_ lockID: String, db: TestDatabase) async throws -> JSONValue {
        let history = try await locktrail(["history", "--format", "json"], db: db)
        #expect(history.status == 0, "\(history)")
        return try #require(history.items.first { $0["lock_id"] == .string(lockID) }, "no hold \(lockID) in\n\(history)")
    }

    /// Whether `locktrail forced` lists `lockID`.
    static func isListedForced(_ lockID: String, db: TestDatabase) async throws -> Bool {
        let forced = try await locktrail(["forced", "--format", "json"], db: db)
        #expect(forced.status == 0, "\(forced)")
        return forced.items.contains { $0["lock_id"] == .string(lockID) }
    }

    /// A DynamoDB lock table and a bucket (unique names), a terraform project locking with them,
    /// a fresh database, and the collector's source for the table.
    struct DynamoDBFixture {
        let table: String
        let project: TerraformProject
        let client: DynamoDBClient
        let db: TestDatabase
        let source: DynamoDBLockTableSource

        init() async throws {
            table = TestAWS.uniqueName("locks")
            let bucket = TestAWS.uniqueName("state")
            client = try TestAWS.dynamoDB()
            _ = try await client.createTable(table)
            try await TestAWS.createBucket(bucket)
            project = try TerraformProject(bucket: bucket, dynamoDBTable: table)
            try await project.initialize()
            db = try await TestDatabase.make()
            source = DynamoDBLockTableSource(table: table, region: "us-east-1", client: client)
        }

        var lockPath: String { "\(project.bucket)/\(project.key)" }

        /// One scan of the table, as `locktrail collect --once` runs it.
        func cycle() async throws {
            _ = try await source.runCycle(store: SourceStore(pool: db.pool), now: SoundClaimsTerraformTests.now, logger: Logger(label: "test"))
        }

        /// The lock `run` holds (the lock item, read directly from the emulator).
        func waitForLock(during run: Spawned) async throws -> LockRecord {
            try await QueryFixture.waitForLock(lockPath, table: table, client: client, during: run)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: project.directory) }
    }

    /// A database with an ingest token and the API server on it, where wrapped runs report.
    struct Server {
        let db: TestDatabase
        let url: String
        let ingestToken: String
        let readToken: String

        init(db: TestDatabase) async throws {
            self.db = db
            (ingestToken, readToken) = try await db.pool.withConnection {
                (try Tokens.create(name: "wrappers", scopes: [.ingest], on: $0), try Tokens.create(name: "reviewer", scopes: [.read], on: $0))
            }
            url = try await QueryFixture.startServer(pool: db.pool)
        }

        /// The environment that makes a wrapper report here, spooling under `project`.
        func wrapperEnvironment(_ project: TerraformProject) -> [String: String] {
            ["LOCKTRAIL_URL": url, "LOCKTRAIL_TOKEN": ingestToken, "LOCKTRAIL_SPOOL": project.directory.appendingPathComponent("spool").path]
        }

        /// Sends whatever a wrapper left in the spool: the wrapper waits at most 0.3 s for the
        /// server after terraform ends, so a test that reads the log flushes first.
        func flush(_ wrapper: Wrapper, _ project: TerraformProject) async throws {
            let argv = wrapper.flushArgv
            let flush = try project.start(Array(argv.dropFirst()), extraEnvironment: wrapperEnvironment(project), program: argv[0])
            #expect(await flush.wait() == 0, "\(flush.output)")
        }
    }

    /// Sleeps until just after the next whole second, so that what follows starts at a known
    /// offset into a second (S3's LastModified has whole seconds).
    static func sleepToSecondStart(offset: Double = 0.05) async throws {
        let now = Date().timeIntervalSince1970
        try await Task.sleep(for: .seconds(now.rounded(.down) + 1 + offset - now))
    }

    // MARK: - 1. A refused unlock is an attempt, not a removal

    @Test("a refused `locktrail unlock`, then terraform's own release: the hold is released, the refusal stays in its evidence")
    func refusedUnlockThenNormalRelease() async throws {
        let f = try await DynamoDBFixture()
        defer { f.cleanUp() }
        let apply = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=8"])
        let holder = try await f.waitForLock(during: apply)
        try await f.cycle()  // the collector sees it held

        // The lock is seconds old, under the default --min-age of 15m: refused, nothing removed.
        let unlock = try await Self.locktrail(["unlock", "--state", f.lockPath, "--lock-id", holder.id, "--reason", "looks stuck"], db: f.db)
        #expect(unlock.status == 2, "\(unlock)")
        #expect(unlock.stdout.contains("refused"), "\(unlock)")
        #expect(await apply.wait() == 0, "\(apply.output)")  // terraform releases its own lock
        try await f.cycle()  // and the collector sees it go

        // Fails before the sound-claims derivation (issue 10): any lock.force_unlocked, whatever
        // its outcome, makes the hold forced today, and `forced` lists it with the refusal's actor.
        let hold = try await Self.hold(holder.id, db: f.db)
        #expect(hold["release_kind"] == "released", "\(hold)")
        #expect(try await Self.isListedForced(holder.id, db: f.db) == false)
        let attempts = hold["evidence"]?.arrayValue?.filter { $0["kind"] == "lock.force_unlocked" } ?? []
        #expect(attempts.contains { $0["outcome"] == "refused" }, "the refused attempt is evidence of an attempt: \(hold)")
    }

    // MARK: - 2. An event about a lock no source saw creates no hold

    @Test("`locktrail unlock` of a lock ID that never existed: nothing is held, the attempt is among the unmatched events")
    func unlockOfAnIDThatNeverExisted() async throws {
        let f = try await DynamoDBFixture()
        defer { f.cleanUp() }
        // A real hold on the same state first, seen by the collector, to tell matched from unmatched.
        let apply = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=3"])
        let real = try await f.waitForLock(during: apply)
        try await f.cycle()
        #expect(await apply.wait() == 0, "\(apply.output)")
        try await f.cycle()

        let typo = "01234567-89ab-cdef-0123-456789abcdef"
        let unlock = try await Self.locktrail(
            ["unlock", "--state", f.lockPath, "--lock-id", typo, "--reason", "typo", "--dynamodb-table", f.table], db: f.db)
        #expect(unlock.status == 3, "\(unlock)")  // not found

        // Fails before the sound-claims derivation (issue 10): today every lock ID an event names
        // gets a hold, so the typo shows in `current` as held, forever, and in `history`; and
        // neither `events --unmatched` nor `?unmatched=true` exists yet.
        let current = try await Self.locktrail(["current", "--format", "json"], db: f.db)
        #expect(current.status == 0, "\(current)")
        #expect(current.items.isEmpty, "no lock is held on any state: \(current)")
        let history = try await Self.locktrail(["history", "--format", "json"], db: f.db)
        #expect(history.status == 0, "\(history)")
        #expect(history.items.map { $0["lock_id"] } == [.string(real.id)], "\(history)")

        let unmatched = try await Self.locktrail(["events", "--unmatched", "--format", "json"], db: f.db)
        #expect(unmatched.status == 0, "\(unmatched)")
        Self.expectOnlyTheAttempt(unmatched.items, typo: typo, real: real.id, via: "locktrail events --unmatched")

        let server = try await Server(db: f.db)
        let answer = try await APIClient(base: server.url).get("/v1/events?unmatched=true", token: server.readToken)
        #expect(answer.status == 200, "\(answer.text)")
        Self.expectOnlyTheAttempt(answer.json?["items"]?.arrayValue ?? [], typo: typo, real: real.id, via: "GET /v1/events?unmatched=true")
    }

    /// The unmatched events hold the typo's attempt and nothing about the lock a source saw.
    static func expectOnlyTheAttempt(_ items: [JSONValue], typo: String, real: String, via: String) {
        let attempt = items.first { $0["lock_id"] == .string(typo) }
        #expect(attempt?["kind"] == "lock.force_unlocked", "\(via): \(items)")
        #expect(attempt?["details"]?["outcome"] == "not_found", "\(via): \(items)")
        #expect(!items.contains { $0["lock_id"] == .string(real) }, "\(via) lists events of a lock the collector saw: \(items)")
    }

    // MARK: - 3. A write the times cannot give to one hold is ambiguous

    @Test("a state write in the scan window where one apply released and the next acquired: ambiguous, with both candidates")
    func writeBetweenTwoHoldsIsAmbiguous() async throws {
        let f = try await DynamoDBFixture()
        defer { f.cleanUp() }
        try await f.cycle()  // the empty table
        // A holds long enough that the next scan surely comes before its write, even on a busy machine.
        let a = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=8"])
        let first = try await f.waitForLock(during: a)
        try await f.cycle()  // A seen held
        #expect(await a.wait() == 0, "\(a.output)")  // A writes the state, then releases
        let b = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        let second: LockRecord
        do { second = try await f.waitForLock(during: b) } catch { b.signal(SIGKILL); _ = await b.wait(); throw error }
        // One scan sees A's release, B's acquire and A's new digest: all three in (previous scan, this scan].
        let windowOpened = Self.now()
        try await f.cycle()
        b.signal(SIGKILL)  // B is killed before it writes anything, as in scripts/demo
        #expect(await b.wait() == 128 + SIGKILL)
        #expect(first.id != second.id)

        let writes = try await Self.locktrail(["writes", "--state", f.lockPath, "--format", "json"], db: f.db)
        #expect(writes.status == 0, "\(writes)")
        let inWindow = writes.items.filter {
            ($0["written_not_after"]?.stringValue.flatMap(Timestamp.init(parsing:))).map { $0 >= windowOpened } ?? false
        }
        #expect(writes.items.count == 1, "A's write is the state's only one: \(writes)")
        let write = try #require(inWindow.first, "no write in the last scan's window: \(writes)")
        // Fails before the sound-claims derivation (issue 10): today the write is `locked`
        // (`match: possible`) by whichever candidate's lock ID sorts first, often B, which never wrote.
        #expect(write["status"] == "ambiguous", "\(write)")
        #expect((write["lock_id"] ?? .null) == .null, "no holder is named: \(write)")
        let candidates = Set(write["candidates"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(candidates.isSuperset(of: [first.id, second.id]), "\(write)")
    }

    // MARK: - 4. S3 times are whole seconds

    @Test("three applies within one second on a versioned lock-file bucket, the third with -lock=false, imported by backfill")
    func threeAppliesInOneSecond() async throws {
        let bucket = TestAWS.uniqueName("state")
        try await TestAWS.createBucket(bucket, versioned: true)
        let project = try TerraformProject(bucket: bucket, useLockfile: true)
        defer { try? FileManager.default.removeItem(at: project.directory) }
        try await project.initialize()
        let db = try await TestDatabase.make()
        let state = "\(bucket)/\(project.key)"

        // Quick applies (no sleep) from the start of a second: here they take about 0.1 s each, so
        // their lock files, delete markers and state versions usually share one LastModified second.
        try await Self.sleepToSecondStart()
        for flags in [[], [], ["-lock=false"]] {
            let apply = try await project.run(["apply", "-auto-approve", "-no-color"] + flags)
            #expect(apply.status == 0, "\(apply.output)")
        }
        let backfill = try await Self.locktrail(["backfill", "--s3-bucket", bucket], db: db)
        #expect(backfill.status == 0, "\(backfill)")

        // What S3 itself says, in whole seconds: each lock version's second and ID, the release
        // seconds (locks are taken one after the other, so the i-th release ends the i-th lock),
        // and each state version's second.
        let s3 = try TestAWS.s3()
        var entries: [S3VersionEntry] = []
        for try await page in s3.listAllVersions(bucket: bucket) { entries += page.entries }
        func second(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
        var locks: [(id: String, created: Timestamp, acquired: Int64)] = []
        for case .version(let v) in entries where v.key == project.key + ".tflock" {
            let record = try #require(LockRecordParse.parse(try await s3.getObject(bucket: bucket, key: v.key, versionId: v.versionId).body).record)
            locks.append((record.id, try #require(record.created), second(v.lastModified)))
        }
        locks.sort { $0.created < $1.created }
        let releases = entries.filter { $0.key == project.key + ".tflock" && $0.isDeleteMarker }.map { second($0.lastModified) }.sorted()
        try #require(locks.count == 2 && releases.count == 2, "two locked applies, each released: \(entries)")
        var stateSeconds: [String: Int64] = [:]
        for case .version(let v) in entries where v.key == project.key { stateSeconds[v.versionId] = second(v.lastModified) }

        let writes = try await Self.locktrail(["writes", "--state", state, "--format", "json"], db: db)
        #expect(writes.status == 0, "\(writes)")
        #expect(writes.items.count == 3, "\(writes)")
        let history = try await Self.locktrail(["history", "--state", state, "--format", "json"], db: db)
        #expect(history.status == 0, "\(history)")
        #expect(history.items.count == 2, "\(history)")

        // Fails before the sound-claims derivation (issue 10): today S3 seconds are exact instants
        // (`…:46.000000Z`, precision "exact"), and every write in the shared second is `locked` by
        // the first apply's lock, the -lock=false one included.
        for write in writes.items {
            #expect(write["written_precision"] == "second", "\(write)")
            guard write["status"] == "locked" else { continue }
            // A write is locked by L only when its whole second lies strictly between L's acquire
            // second and L's release second; within a shared second the order is unknown.
            let w = try #require(write["version_id"]?.stringValue.flatMap { stateSeconds[$0] }, "\(write)")
            let index = try #require(locks.firstIndex { .string($0.id) == write["lock_id"] }, "\(write)")
            #expect(
                locks[index].acquired < w && w < releases[index],
                "locked by \(locks[index].id) (acquired in second \(locks[index].acquired), released in \(releases[index])), written in \(w): \(write)"
            )
        }
        let unlockedApply = try #require(writes.items.max { ($0["serial"]?.numberValue ?? -1) < ($1["serial"]?.numberValue ?? -1) })
        #expect(unlockedApply["status"] != "locked", "the -lock=false apply's write: \(unlockedApply)")
        for hold in history.items {
            #expect(hold["acquired_precision"] == "second", "\(hold)")
            #expect(hold["released_precision"] == "second", "\(hold)")
            for item in hold["evidence"]?.arrayValue ?? [] { #expect(item["occurred_precision"] == "second", "\(item)") }
        }
    }

    // MARK: - 5. A release that fails on the network is no evidence of removal

    /// An HTTP proxy in front of the emulator that plays a network failure at the worst moment:
    /// terraform's release of `lockPath` (its GetItem of the lock item, which terraform reads only
    /// to release or to show a holder) gets no answer, and the proxy exits, so the endpoint is gone.
    struct ReleaseCuttingProxy {
        static let script = """
            import http.client, http.server, json, os, sys, urllib.parse
            port, upstream, lock_path = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), sys.argv[3]

            class Proxy(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *args): pass
                def handle_any(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                    if (self.headers.get("X-Amz-Target") or "").endswith(".GetItem"):
                        try: key = json.loads(body)["Key"]["LockID"]["S"]
                        except Exception: key = None
                        if key == lock_path:
                            print("cut", flush=True)
                            os._exit(0)
                    conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    headers["Host"] = self.headers.get("Host", "")
                    conn.request(self.command, self.path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    self.send_response(response.status)
                    for k, v in response.getheaders():
                        if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    conn.close()
                do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

            http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
            """

        let url: String
        let process: Spawned
        let directory: URL

        init(lockPath: String) async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("lt-cut-proxy-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("proxy.py")
            try Self.script.write(to: file, atomically: true, encoding: .utf8)
            let port = TCP.freePort()
            process = try Spawned(
                ["python3", file.path, String(port), TestAWS.endpoint, lockPath],
                environment: ProcessInfo.processInfo.environment, directory: directory)
            url = "http://127.0.0.1:\(port)"
            guard TCP.waitForListener(port: port, timeout: 30) else {
                throw TerraformFailure(command: "(release-cutting proxy)", output: process.output)
            }
        }

        var didCut: Bool { process.output.contains("cut") }

        func stop() {
            process.signal(SIGKILL)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test("a wrapped apply whose release fails on the network, its lock removed later by hand: not forced")
    func networkReleaseFailureIsNotForce() async throws {
        let table = TestAWS.uniqueName("locks")
        let bucket = TestAWS.uniqueName("state")
        let lockPath = "\(bucket)/app/terraform.tfstate"
        let proxy = try await ReleaseCuttingProxy(lockPath: lockPath)
        // Terraform reaches DynamoDB only through the proxy; one attempt per call, so the failed
        // release is reported at once instead of after the SDK's backoff.
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        try await TestAWS.createBucket(bucket)
        let project = try TerraformProject(bucket: bucket, dynamoDBTable: table, dynamoDBEndpoint: proxy.url, maxRetries: 1)
        defer { proxy.stop(); try? FileManager.default.removeItem(at: project.directory) }
        try await project.initialize()
        let db = try await TestDatabase.make()
        let server = try await Server(db: db)
        let source = DynamoDBLockTableSource(table: table, region: "us-east-1", client: client)
        func cycle() async throws { _ = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test")) }

        let argv = Wrapper.executable.argv(["terraform", "apply", "-auto-approve", "-no-color", "-var", "hold=3"])
        let apply = try project.start(Array(argv.dropFirst()), extraEnvironment: server.wrapperEnvironment(project), program: argv[0])
        let holder = try await QueryFixture.waitForLock(lockPath, table: table, client: client, during: apply)
        try await cycle()  // seen held
        #expect(await apply.wait() == 1, "\(apply.output)")  // terraform reports the failed release as an error
        #expect(proxy.didCut, "\(apply.output)")
        #expect(apply.output.contains("Error releasing the state lock"), "\(apply.output)")
        #expect(apply.output.contains("failed to retrieve lock info"), "\(apply.output)")
        #expect(
            try await client.getItem(table: table, key: ["LockID": .string(lockPath)])?["Info"] != nil,
            "the lock is still in the table: a failed release removes nothing")
        try await server.flush(.executable, project)
        try await cycle()  // still held

        // Someone deletes the item by hand (no wrapper, no locktrail unlock): no removal is reported.
        try await client.deleteItem(table: table, key: ["LockID": .string(lockPath)])
        try await cycle()

        let failures = try await Self.locktrail(["events", "--kind", "lock.release_failed", "--format", "json"], db: db)
        #expect(failures.items.count == 1, "\(failures)")
        // What the wrapper recorded is terraform's own message: the endpoint failed, the lock was not gone.
        let message = failures.items.first?["details"]?["message"]?.stringValue ?? ""
        #expect(failures.items.first?["lock_id"] == .string(holder.id), "\(failures)")
        #expect(message.contains("failed to retrieve lock info") && message.contains("request send failed"), "\(failures)")
        // Fails before the sound-claims derivation (issue 10): today any lock.release_failed
        // makes the hold forced, even one whose message is a network error.
        let hold = try await Self.hold(holder.id, db: db)
        #expect(hold["evidence"]?.arrayValue?.contains { $0["kind"] == "lock.release_failed" } == true, "\(hold)")
        #expect(hold["release_kind"] == "released", "\(hold)")
        #expect(try await Self.isListedForced(holder.id, db: db) == false)
    }

    // MARK: - 6. plan -detailed-exitcode's 2 is a success

    /// The plans of the last test: `-detailed-exitcode` under each wrapper, and a plain plan (exit 0)
    /// as the control that shows the exit code alone decides today's answer.
    static let plans: [(Wrapper, [String], Int32)] = [
        (.executable, ["-detailed-exitcode"], 2), (.subcommand, ["-detailed-exitcode"], 2), (.executable, [], 0),
    ]

    @Test(
        "`plan -detailed-exitcode` with changes under the wrapper (a plain plan as control): the exit code passes through, run.finished has it, the hold is released",
        arguments: plans)
    func detailedExitCodePlan(_ wrapper: Wrapper, flags: [String], exitCode: Int32) async throws {
        let bucket = TestAWS.uniqueName("state")
        try await TestAWS.createBucket(bucket, versioned: true)  // exact lock-file history: a plan's short lock is seen
        let project = try TerraformProject(bucket: bucket, useLockfile: true)
        defer { try? FileManager.default.removeItem(at: project.directory) }
        // The plan reads a remote state from a FIFO that is written 1.6 s after it starts: it holds
        // its lock that long, across a heartbeat (every second) in the second its lock goes.
        let fifo = project.directory.appendingPathComponent("slow.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        try """
        data "terraform_remote_state" "slow" {
          backend = "local"
          config  = { path = "\(fifo.path)" }
        }

        """.write(to: project.directory.appendingPathComponent("slow.tf"), atomically: true, encoding: .utf8)
        let emptyState = project.directory.appendingPathComponent("empty.tfstate")
        try #"{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"5d3c2a1b-0000-4000-8000-000000000000","outputs":{},"resources":[]}"#
            .write(to: emptyState, atomically: true, encoding: .utf8)
        try await project.initialize()
        let db = try await TestDatabase.make()
        let server = try await Server(db: db)
        let source = S3BucketSource(bucket: bucket, prefix: nil, client: try TestAWS.s3())

        try await Self.sleepToSecondStart()
        let writer = try project.start(["20", "sh", "-c", "sleep 1.6; cat '\(emptyState.path)' > '\(fifo.path)'"], program: "timeout")
        let argv = wrapper.argv(["terraform", "plan", "-no-color"] + flags)
        let plan = try project.start(
            Array(argv.dropFirst()),
            extraEnvironment: server.wrapperEnvironment(project)
                .merging(["LOCKTRAIL_HEARTBEAT": "1s"]) { _, new in new }, program: argv[0])
        let status = await plan.wait()
        writer.signal(SIGKILL)
        _ = await writer.wait()
        #expect(status == exitCode, "changes present: \(plan.output)")
        try await server.flush(wrapper, project)
        _ = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))

        let finished = try await Self.locktrail(["events", "--kind", "run.finished", "--format", "json"], db: db)
        #expect(finished.items.count == 1, "\(finished)")
        #expect(finished.items.first?["details"]?["exit_code"] == .int(Int64(exitCode)), "\(finished)")
        let history = try await Self.locktrail(["history", "--format", "json"], db: db)
        let hold = try #require(history.items.first { $0["operation"] == "OperationTypePlan" }, "\(history)")
        let lockID = try #require(hold["lock_id"]?.stringValue)
        // Fails before the sound-claims derivation (issue 10), for exit code 2 only: only 0 counts as
        // success today, so a heartbeat stamped after the lock's (whole-second) delete time makes it forced.
        #expect(hold["release_kind"] == "released", "\(hold)")
        #expect(try await Self.isListedForced(lockID, db: db) == false)
    }
}
