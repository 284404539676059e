import Foundation
import LocktrailCore
import LocktrailNotifications
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Webhook notifications end to end: real `locktrail serve` processes on a real PostgreSQL, a
/// real HTTP receiver (python's http.server) that checks each signature with python's own
/// hmac, fails on purpose and goes down, and the real `locktrail` commands.
@Suite("Notifications", .serialized)
struct NotificationTests {
    /// A webhook receiver: answers 500 to the first `--fail-first` requests (or to all with
    /// `--always-fail`), 200 after; appends one JSON line per request to the log, with whether
    /// the signature verified under `--secret`.
    static let receiver = #"""
        import hashlib, hmac, http.server, json, sys, time
        port, log, fail_first, always_fail, secret = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5].encode()
        seen = [0]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                seen[0] += 1
                status = 500 if always_fail or seen[0] <= fail_first else 200
                ts, sig = self.headers.get("X-Locktrail-Timestamp"), self.headers.get("X-Locktrail-Signature")
                valid = None
                if sig is not None:
                    want = "sha256=" + hmac.new(secret, (ts + ".").encode() + body, hashlib.sha256).hexdigest()
                    valid = hmac.compare_digest(want, sig)
                with open(log, "a") as f:
                    f.write(json.dumps({"time": time.time(), "path": self.path, "delivery": self.headers.get("X-Locktrail-Delivery"), "timestamp": ts,
                                        "signature": sig, "valid": valid, "status": status, "body": body.decode()}) + "\n")
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """#

    static let secret = "s3cr3t-webhook-key-do-not-log"
    static let slackPath = "/slack/T0000/B0000/SLACKTOKENINURL"

    struct Received: Decodable {
        var time: Double, path: String, delivery: String?, timestamp: String?, signature: String?, valid: Bool?, status: Int, body: String
    }

    /// A scratch folder with the receiver script, its log and the notifications file.
    final class Scene: @unchecked Sendable {
        let directory: URL
        let db: TestDatabase
        let receiverPort = TCP.freePort()
        var log: URL { directory.appendingPathComponent("received.jsonl") }
        var config: URL { directory.appendingPathComponent("notifications.yaml") }
        var processes: [Spawned] = []

        init(maxAttempts: Int, staleAfter: String = "2s", slack: Bool = true) async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("lt-notify-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try NotificationTests.receiver.write(to: directory.appendingPathComponent("receiver.py"), atomically: true, encoding: .utf8)
            db = try await TestDatabase.make()
            var yaml = """
                interval: 0.3s
                delivery:
                  max_attempts: \(maxAttempts)
                  initial_backoff: 0.2s
                  max_backoff: 1s
                  timeout: 3s
                  allow_private_networks: true
                webhooks:
                  - name: ops
                    url: http://127.0.0.1:\(receiverPort)/hook
                    events: [forced, stale, unlocked_write, contention, coverage_gap]
                    format: json
                    secret_env: LT_TEST_WEBHOOK_SECRET
                    stale_after: \(staleAfter)

                """
            if slack {
                yaml += """
                      - name: chat
                        url_env: LT_TEST_SLACK_URL
                        events: [forced]
                        format: slack

                    """
            }
            try yaml.write(to: config, atomically: true, encoding: .utf8)
        }

        var environment: [String: String] {
            var env = ProcessInfo.processInfo.environment
            env["LT_TEST_WEBHOOK_SECRET"] = NotificationTests.secret
            env["LT_TEST_SLACK_URL"] = "http://127.0.0.1:\(receiverPort)\(NotificationTests.slackPath)"
            return env
        }

        func startReceiver(failFirst: Int = 0, alwaysFail: Bool = false) throws -> Spawned {
            let p = try Spawned(
                [
                    "python3", directory.appendingPathComponent("receiver.py").path, String(receiverPort), log.path,
                    String(failFirst), alwaysFail ? "1" : "0", NotificationTests.secret,
                ],
                environment: environment, directory: directory)
            processes.append(p)
            #expect(TCP.waitForListener(port: receiverPort))
            return p
        }

        func startServe() throws -> Spawned {
            let p = try Spawned(
                [
                    LocktrailBinary.path, "serve", "--database", db.conninfo, "--listen", "127.0.0.1:\(TCP.freePort())",
                    "--notifications", config.path,
                ], environment: environment, directory: directory)
            processes.append(p)
            return p
        }

        func locktrail(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            let p = try Spawned([LocktrailBinary.path] + arguments + ["--database", db.conninfo], environment: environment, directory: directory)
            let status = await p.wait()
            return (status, p.output)
        }

        func received() -> [Received] {
            guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
        }

        func outbox() async throws -> [NotificationEntry] { try await db.store.notifications.list(status: nil, limit: 1000) }

        func stop(_ p: Spawned, signal: Int32 = SIGTERM) async {
            p.signal(signal)
            _ = await p.wait()
        }

        func finish() async {
            for p in processes { p.signal(SIGKILL); _ = await p.wait() }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func eventually(_ what: String, timeout: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    static func now() -> Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    static let ddb = "dynamodb:us-east-1/notify-locks"

    static func record(_ id: String, state: String, who: String) -> JSONValue {
        [
            "id": .string(id), "who": .string(who), "operation": "OperationTypeApply", "version": "1.11.4",
            "created": .string(now().rfc3339), "path": .string(state),
        ]
    }

    /// A lock seen by the lock table, force-unlocked by `locktrail unlock` (outcome removed), then gone: a proven force.
    static func forcedHold(_ id: String, state: String) -> [Event] {
        let t = now()
        return [
            Event(
                key: "n|acq|\(id)", kind: .lockAcquired, source: ddb, mechanism: .dynamodb, time: .exact(t.adding(seconds: -3)), observedAt: t,
                lockID: id, state: state, workspace: "default", details: record(id, state: state, who: "erin@build-7")),
            Event(
                key: "n|force|\(id)", kind: .lockForceUnlocked, source: "hook", mechanism: .hook, time: .exact(t.adding(seconds: -2)), observedAt: t,
                lockID: id, state: state, workspace: "default",
                details: ["actor": "bob@ops", "reason": "apply killed", "outcome": "removed", "tool": "locktrail unlock"]),
            Event(
                key: "n|rel|\(id)", kind: .lockReleased, source: ddb, mechanism: .dynamodb,
                time: .between(after: t.adding(seconds: -2.5), notAfter: t.adding(seconds: -1)), observedAt: t,
                lockID: id, state: state, workspace: "default", details: record(id, state: state, who: "erin@build-7")),
        ]
    }

    /// A lock acquired just now (stale two seconds later, by the notifier's timer alone), a run
    /// blocked by it, and a coverage gap of the lock table's source an hour ago.
    static func staleContentionAndGap(_ id: String, state: String) -> [Event] {
        let t = now()
        return [
            Event(
                key: "n|acq|\(id)", kind: .lockAcquired, source: ddb, mechanism: .dynamodb, time: .exact(t.adding(seconds: -0.2)), observedAt: t,
                lockID: id, state: state, workspace: "default", details: record(id, state: state, who: "dave@laptop")),
            Event(
                key: "n|contended|\(id)", kind: .lockContended, source: "hook", mechanism: .hook, time: .exact(t), observedAt: t,
                lockID: id, state: state, workspace: "default",
                details: ["who": "carol@ci", "holder_who": "dave@laptop", "holder_operation": "OperationTypeApply", "ingest_token": "ci-runners"]),
            Event(
                key: "n|gap|\(id)", kind: .coverageGap, source: ddb, time: .exact(t), observedAt: t,
                details: [
                    "from": .string(t.adding(seconds: -7200).rfc3339), "to": .string(t.adding(seconds: -3600).rfc3339),
                    "reason": "collector not running", "table": "notify-locks",
                ]),
        ]
    }

    /// A state whose lock-file version history (as S3 versions give it) shows a hold and then a
    /// write with none held: `unlocked`, proven by the exact history.
    static func unlockedWrite(state: String) -> [Event] {
        let t = now().adding(seconds: -120), id = "0a0a0a0a-0000-4000-8000-00000000000a"
        func s3(_ key: String, _ kind: EventKind, _ time: Timestamp, lock: String? = nil, mechanism: Mechanism, details: JSONValue) -> Event {
            Event(
                key: "n|\(key)", kind: kind, source: "s3:notify-exact", mechanism: mechanism, time: .exact(time), observedAt: time,
                lockID: lock, state: state, workspace: "default", details: details)
        }
        let lock: JSONValue = [
            "who": "carol@ci", "operation": "OperationTypeApply", "version": "1.11.4", "created": .string(t.rfc3339),
            "path": .string(state), "time_basis": "last_modified",
        ]
        return [
            s3("u1", .lockAcquired, t, lock: id, mechanism: .s3Lockfile, details: lock),
            s3("u2", .stateWritten, t.adding(seconds: 10), mechanism: .s3State, details: ["etag": "e1", "serial": 7, "lineage": "L"]),
            s3("u3", .lockReleased, t.adding(seconds: 20), lock: id, mechanism: .s3Lockfile, details: lock),
            s3("u4", .stateWritten, t.adding(seconds: 60), mechanism: .s3State, details: ["etag": "e2", "serial": 8, "lineage": "L"]),
        ]
    }

    @Test(
        "every notification arrives once, signed, through failures, a receiver down across a serve restart and a failover; one notifier of two replicas; rebuild sends nothing again"
    )
    func deliveredOnceAcrossRestartAndFailover() async throws {
        let scene = try await Scene(maxAttempts: 50)
        do { try await deliveredOnce(scene) } catch { await scene.finish(); throw error }
        await scene.finish()
    }

    func deliveredOnce(_ scene: Scene) async throws {
        let forcedState = "notify-bucket/app/terraform.tfstate", staleState = "notify-bucket/old/terraform.tfstate"
        let forcedID = "f0f0f0f0-0000-4000-8000-000000000001", staleID = "5a5a5a5a-0000-4000-8000-000000000002"

        // Two replicas: exactly one becomes the notifier.
        let first = try scene.startServe()
        try await Self.eventually("the first serve to lead") { first.output.contains("notifier active") }
        let second = try scene.startServe()
        try await Self.eventually("the second serve to stand by") { second.output.contains("notifier standing by") }
        #expect(!second.output.contains("notifier active"))
        let locks = try await scene.db.pool.withConnection {
            try $0.query(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::int = hashtext('locktrail') AND objid::int = hashtext('notifier') AND granted"
            ).int(0, 0)
        }
        #expect(locks == 1)
        // The notifier starts at the log's position when it first runs; let it take that position.
        try await Self.eventually("the notifier's cursor") {
            try await scene.db.pool.withConnection { try $0.query("SELECT count(*) FROM notification_cursor").int(0, 0) } == 1
        }

        // The receiver is down: events happen, the notifier tries and fails.
        let unlockedState = "notify-exact/net/terraform.tfstate"
        _ = try await scene.db.store.events.append(
            Self.unlockedWrite(state: unlockedState) + Self.forcedHold(forcedID, state: forcedState)
                + Self.staleContentionAndGap(staleID, state: staleState))
        try await Self.eventually("six outbox entries, tried at least once") {
            let outbox = try await scene.outbox()
            return outbox.count == 6 && outbox.allSatisfy { $0.attempts >= 1 && $0.status == "pending" }
        }
        let created = try await scene.outbox()
        // The stale lock was found by the timer, a pass after the events' own.
        let staleAt = try #require(created.first { $0.kind == "stale" }?.createdAt),
            forcedAt = try #require(created.first { $0.kind == "forced" }?.createdAt)
        #expect(staleAt > forcedAt)
        // Only the write made with no lock held: the one under the hold is not notified.
        let writes = try await scene.db.store.answers.writes(
            state: unlockedState, unlockedOnly: false, since: nil, until: nil, cursor: nil, limit: 10)
        #expect(writes.items.map { $0["status"]?.stringValue } == ["locked", "unlocked"])
        // The leader dies mid-retry (SIGKILL: no goodbye); the other replica takes over, and the
        // first is started again and stands by.
        await scene.stop(first, signal: SIGKILL)
        try await Self.eventually("the second serve to take over") { second.output.contains("notifier active") }
        let restarted = try scene.startServe()
        try await Self.eventually("the restarted serve to stand by") { restarted.output.contains("notifier standing by") }

        // The receiver comes up, and still fails its first two requests.
        _ = try scene.startReceiver(failFirst: 2)
        try await Self.eventually("everything delivered") { try await scene.outbox().allSatisfy { $0.status == "delivered" } }

        let outbox = try await scene.outbox()
        #expect(Set(outbox.map(\.kind)) == ["forced", "stale", "contention", "coverage_gap", "unlocked_write"])
        #expect(outbox.filter { $0.kind == "unlocked_write" }.count == 1)
        #expect(Set(outbox.map(\.subject)).isSuperset(of: ["forced:\(forcedID)", "stale:\(staleID)"]))
        let accepted = scene.received().filter { $0.status == 200 }
        let json = accepted.filter { $0.path == "/hook" }, slack = accepted.filter { $0.path == Self.slackPath }
        // Once each, by delivery id: no loss, no repeat.
        #expect(json.compactMap(\.delivery).sorted() == outbox.filter { $0.webhook == "ops" }.map(\.id).sorted())
        #expect(json.allSatisfy { $0.valid == true })
        #expect(scene.received().filter { $0.status == 500 }.count == 2)
        for r in json {
            let body = try JSONParser.parse(r.body)
            #expect(body["id"]?.stringValue == r.delivery)
            if body["kind"]?.stringValue == "forced" {
                #expect(body["hold"]?["release_kind"]?.stringValue == "forced")
                #expect(body["hold"]?["forced_by"]?.stringValue == "bob@ops")
            }
        }
        // The README's few lines of shell and openssl verify a signature too.
        let sample = try #require(json.first)
        let bodyFile = scene.directory.appendingPathComponent("body.json")
        try sample.body.write(to: bodyFile, atomically: true, encoding: .utf8)
        var shellEnv = scene.environment
        shellEnv["TS"] = sample.timestamp
        shellEnv["SIGNATURE_HEADER"] = sample.signature
        shellEnv["LOCKTRAIL_WEBHOOK_SECRET"] = Self.secret
        let shell = try Spawned(
            [
                "/bin/sh", "-c",
                #"expected="sha256=$( { printf '%s.' "$TS"; cat body.json; } | openssl dgst -sha256 -hmac "$LOCKTRAIL_WEBHOOK_SECRET" -r | cut -d' ' -f1)"; [ "$expected" = "$SIGNATURE_HEADER" ] && echo valid"#,
            ],
            environment: shellEnv, directory: scene.directory)
        #expect(await shell.wait() == 0)
        #expect(shell.output.contains("valid"), "\(shell.output)")

        // Slack gets its own shape and no signature.
        #expect(slack.count == 1)
        #expect(slack.first?.signature == nil && slack.first?.delivery == nil)
        let slackText = try slack.first.flatMap { try JSONParser.parse($0.body)["text"]?.stringValue }
        #expect(slackText?.contains("force-removed") == true)

        // A rebuild derives the same forced hold again, and new evidence about it arrives: its
        // id is the same, so nothing new is created or sent.
        let rebuild = try await scene.locktrail(["rebuild"])
        #expect(rebuild.status == 0, "\(rebuild.output)")
        let t = Self.now()
        _ = try await scene.db.store.events.append([
            Event(
                key: "n|late|\(forcedID)", kind: .lockForceUnlocked, source: "hook", mechanism: .hook, time: .exact(t), observedAt: t,
                lockID: forcedID, state: forcedState, workspace: "default",
                details: ["actor": "late@ops", "outcome": "not_found", "tool": "locktrail unlock"])
        ])
        let head = try await scene.db.store.events.head().seq
        try await Self.eventually("the notifier to pass the new event") {
            try await scene.db.pool.withConnection { try $0.query("SELECT seq FROM notification_cursor").int(0, 0) } == head
        }
        try await Task.sleep(for: .seconds(1))
        #expect(try await scene.outbox().count == 6)
        #expect(scene.received().filter { $0.status == 200 }.count == accepted.count)

        // Nothing secret in any log.
        for p in [first, second, restarted] {
            #expect(!p.output.contains(Self.secret))
            #expect(!p.output.contains("SLACKTOKENINURL"))
        }
    }

    @Test("serve refuses a bad notifications file before it starts, and says why without the secret URL")
    func badFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lt-notify-bad-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("n.yaml")
        try "webhooks:\n  - url: https://hooks.example.com/T/SECRETPART\n    on: [forced]\n".write(to: file, atomically: true, encoding: .utf8)
        let p = try Spawned(
            [LocktrailBinary.path, "serve", "--database", "host=/nonexistent", "--notifications", file.path],
            environment: ProcessInfo.processInfo.environment, directory: directory)
        #expect(await p.wait() == 64)
        #expect(p.output.contains("unknown key `on` in webhooks[0]"), "\(p.output)")
        #expect(!p.output.contains("SECRETPART"))
    }

    @Test("a receiver that always fails: dead letter after max_attempts; retry sends it again; test sends now")
    func deadLetterAndRetry() async throws {
        let scene = try await Scene(maxAttempts: 3, slack: false)
        do { try await deadLetter(scene) } catch { await scene.finish(); throw error }
        await scene.finish()
    }

    func deadLetter(_ scene: Scene) async throws {
        let receiver = try scene.startReceiver(alwaysFail: true)
        let serve = try scene.startServe()
        try await Self.eventually("serve to lead") { serve.output.contains("notifier active") }
        try await Self.eventually("the notifier's cursor") {
            try await scene.db.pool.withConnection { try $0.query("SELECT count(*) FROM notification_cursor").int(0, 0) } == 1
        }
        _ = try await scene.db.store.events.append(
            Self.forcedHold("dddd0000-0000-4000-8000-00000000000d", state: "notify-bucket/dead/terraform.tfstate"))
        try await Self.eventually("a dead letter") { try await scene.db.store.notifications.counts().deadLetters == 1 }
        #expect(try await scene.db.store.notifications.counts() == NotificationCounts(backlog: 0, deadLetters: 1))
        // Three attempts, each after a longer wait (0.2 s, then 0.4 s at least: backoff).
        let attempts = scene.received().map(\.time)
        #expect(attempts.count == 3)
        if attempts.count == 3 {
            #expect(attempts[1] - attempts[0] >= 0.2)
            #expect(attempts[2] - attempts[1] >= 0.4)
        }
        #expect(serve.output.contains("notification dead-lettered"))

        let listed = try await scene.locktrail(["notifications", "list", "--status", "dead", "--format", "json"])
        #expect(listed.status == 0)
        let entries =
            try JSONParser.parse(listed.output.split(separator: "\n").filter { !$0.hasPrefix("locktrail:") }.joined(separator: "\n")).arrayValue ?? []
        #expect(entries.count == 1)
        #expect(entries.first?["attempts"]?.numberValue == 3)
        #expect(entries.first?["last_error"]?.stringValue == "HTTP 500")
        let id = try #require(entries.first?["id"]?.stringValue)

        // The receiver is fixed; the dead letter is sent again on request.
        await scene.stop(receiver, signal: SIGKILL)
        _ = try scene.startReceiver()
        let retry = try await scene.locktrail(["notifications", "retry", id])
        #expect(retry.status == 0, "\(retry.output)")
        try await Self.eventually("the retried delivery") { try await scene.outbox().first?.status == "delivered" }
        #expect(scene.received().filter { $0.status == 200 }.map(\.delivery) == [id])
        #expect(try await scene.db.store.notifications.counts() == NotificationCounts(backlog: 0, deadLetters: 0))
        let unknown = try await scene.locktrail(["notifications", "retry", "ntf_nosuch"])
        #expect(unknown.status == 2)

        // `test` sends one signed notification to each webhook now, outside the outbox.
        let p = try Spawned(
            [LocktrailBinary.path, "notifications", "test", "--notifications", scene.config.path],
            environment: scene.environment, directory: scene.directory)
        #expect(await p.wait() == 0, "\(p.output)")
        #expect(p.output.contains("ops: delivered (HTTP 200)"))
        let tested = scene.received().last
        #expect(tested?.valid == true)
        #expect(tested.flatMap { (try? JSONParser.parse($0.body))?["kind"]?.stringValue } == "test")
        #expect(try await scene.outbox().count == 1)
        #expect(!serve.output.contains(Self.secret))
    }
}
