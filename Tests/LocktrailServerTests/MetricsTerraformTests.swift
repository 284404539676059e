import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailStore
import LocktrailTestSupport
import Testing

/// `GET /metrics` of a real `locktrail serve`, scraped and parsed by Prometheus' own parsers
/// (`prometheus_client` from PyPI, and promtool), after real terraform runs against the emulator.
@Suite("Prometheus metrics", .serialized)
struct MetricsTerraformTests {
    /// Fetches URL (with a bearer token when given) and prints what prometheus_client's parser
    /// makes of it: one JSON array [name, labels, value] per sample, and the raw text to a file.
    static let scrapeScript = """
        import json, sys, urllib.request
        from prometheus_client.parser import text_string_to_metric_families
        url, token, raw = sys.argv[1], sys.argv[2], sys.argv[3]
        request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token} if token else {})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Type"].startswith("text/plain"), response.headers["Content-Type"]
            text = response.read().decode()
        open(raw, "w").write(text)
        samples = []
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                samples.append([s.name, s.labels, s.value, family.type])
        print(json.dumps(samples))
        """

    struct Scrape {
        var samples: [(name: String, labels: [String: String], value: Double, type: String)]
        var text: String

        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { s in s.name == name && labels.allSatisfy { k, v in s.labels[k] == v } }?.value
        }
    }

    static func scrape(_ url: String, token: String?, in directory: URL) async throws -> Scrape {
        let raw = directory.appendingPathComponent("scrape-\(UUID().uuidString.prefix(6)).txt")
        let run = try Spawned(
            ["python3", "-c", scrapeScript, url, token ?? "", raw.path], environment: ProcessInfo.processInfo.environment,
            directory: directory)
        let status = await run.wait()
        try #require(status == 0, "scrape failed: \(run.output)")
        let parsed = try JSONParser.parse(run.output.split(separator: "\n").last.map(String.init) ?? "")
        let samples = (parsed.arrayValue ?? []).map { s in
            (
                name: s.arrayValue?[0].stringValue ?? "",
                labels: (s.arrayValue?[1].objectValue ?? [:]).compactMapValues(\.stringValue),
                value: s.arrayValue?[2].numberValue ?? .nan, type: s.arrayValue?[3].stringValue ?? ""
            )
        }
        // promtool's own parser and linter accept the exposition too.
        let promtool = try Spawned(
            ["sh", "-c", "promtool check metrics < '\(raw.path)'"], environment: ProcessInfo.processInfo.environment,
            directory: directory)
        let promtoolStatus = await promtool.wait()
        #expect(promtoolStatus == 0, "promtool check metrics: \(promtool.output)")
        return Scrape(samples: samples, text: try String(contentsOf: raw, encoding: .utf8))
    }

    static func locktrail(_ project: TerraformProject, db: TestDatabase, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let run = try project.start(arguments, extraEnvironment: ["DATABASE_URL": db.conninfo], program: LocktrailBinary.path)
        let status = await run.wait()
        return (status, run.output)
    }

    static func waitForLockFile(bucket: String, key: String) async throws -> String {
        let s3 = try TestAWS.s3()
        for _ in 0..<300 {
            if let body = try? await s3.getObject(bucket: bucket, key: key + ".tflock").body,
                let id = LockRecordParse.parse(body).record?.id
            {
                return id
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CancellationError()
    }

    @Test("locks held, maintenance, force-removals (not moved by rebuild), unlocked writes and sources, from real terraform runs")
    func scrapeAfterTerraform() async throws {
        let table = TestAWS.uniqueName("locks")
        let bucket = TestAWS.uniqueName("state")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        try await TestAWS.createBucket(bucket, versioned: true)
        // The lock file alone on a versioned bucket: its version history is complete, so a write
        // with no lock can be proven unlocked (DynamoDB scans miss short locks: never proof).
        let app = try TerraformProject(bucket: bucket, key: "app/terraform.tfstate", useLockfile: true)
        let frozen = try TerraformProject(bucket: bucket, key: "frozen/terraform.tfstate", dynamoDBTable: table)
        try await app.initialize()
        try await frozen.initialize()
        let db = try await TestDatabase.make()
        let appState = "\(bucket)/\(app.key)", frozenState = "\(bucket)/\(frozen.key)"
        let collect = ["collect", "--once", "--dynamodb-table", table, "--s3-bucket", bucket]

        // A locked apply, then (a second later, so the versions' seconds do not overlap) one with -lock=false.
        #expect(try await app.run(["apply", "-auto-approve", "-no-color"]).status == 0)
        try await Task.sleep(for: .seconds(1.5))
        #expect(try await app.run(["apply", "-auto-approve", "-no-color", "-lock=false"]).status == 0)
        try await Task.sleep(for: .seconds(1.5))
        // An apply killed while holding its lock: stale.
        let victim = try app.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        let staleID = try await Self.waitForLockFile(bucket: bucket, key: app.key)
        victim.signal(SIGKILL)
        _ = await victim.wait()
        // A maintenance lock on the other state.
        let lock = try await Self.locktrail(frozen, db: db, ["lock", "--state", frozenState, "--reason", "freeze", "--dynamodb-table", table])
        #expect(lock.status == 0, "\(lock.output)")
        #expect(try await Self.locktrail(app, db: db, collect).status == 0)

        let port = TCP.freePort()
        let token = try await Self.locktrail(app, db: db, ["token", "create", "--scope", "metrics", "--name", "prometheus"])
        #expect(token.status == 0, "\(token.output)")
        let secret = try #require(token.output.split(separator: "\n").last.map(String.init))
        let readOnly = try await Self.locktrail(app, db: db, ["token", "create", "--scope", "ingest", "--name", "hooks-only"])
        let serve = try app.start(
            ["serve", "--listen", "127.0.0.1:\(port)"], extraEnvironment: ["DATABASE_URL": db.conninfo],
            program: LocktrailBinary.path)
        defer { serve.signal(SIGTERM) }
        #expect(TCP.waitForListener(port: port))
        let url = "http://127.0.0.1:\(port)/metrics"

        // No token: 401; a token without the metrics or read scope: 403.
        let noToken = try Spawned(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url], environment: ProcessInfo.processInfo.environment,
            directory: app.directory)
        _ = await noToken.wait()
        #expect(noToken.output == "401")
        let wrongScope = try Spawned(
            [
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                "Authorization: Bearer \(readOnly.output.split(separator: "\n").last ?? "")", url,
            ],
            environment: ProcessInfo.processInfo.environment, directory: app.directory)
        _ = await wrongScope.wait()
        #expect(wrongScope.output == "403")

        let first = try await Self.scrape(url, token: secret, in: app.directory)
        #expect(first.value("locktrail_locks_held", ["bucket": bucket]) == 2, "\(first.text)")
        #expect(first.value("locktrail_maintenance_locks") == 1, "\(first.text)")
        #expect(first.value("locktrail_forced_removals_total") == 0, "\(first.text)")
        #expect((first.value("locktrail_oldest_lock_age_seconds") ?? -1) >= 0, "\(first.text)")
        #expect(first.value("locktrail_stale_locks", ["older_than": "1h"]) == 0, "\(first.text)")
        // The outbox's gauges come from the database on every replica, notifier or not.
        #expect(first.value("locktrail_notifications_backlog") == 0, "\(first.text)")
        #expect(first.value("locktrail_notifications_dead_letters") == 0, "\(first.text)")
        let unlocked = try await Self.locktrail(app, db: db, ["writes", "--unlocked", "--format", "json"])
        let unlockedCount = (try JSONParser.parse(unlocked.output)).arrayValue?.count ?? -1
        #expect(unlockedCount >= 1, "the -lock=false apply on a versioned bucket: \(unlocked.output)")
        #expect(first.value("locktrail_unlocked_writes_total") == Double(unlockedCount), "\(first.text)")
        let now = Date().timeIntervalSince1970
        for source in ["dynamodb:us-east-1/\(table)", "s3:\(bucket)"] {
            let last = try #require(first.value("locktrail_source_last_success_timestamp_seconds", ["source": source]), "\(first.text)")
            #expect(abs(now - last) < 120, "\(source): \(last)")
        }
        #expect(first.samples.first { $0.name == "locktrail_forced_removals_total" }?.type == "counter")

        // Force-remove the stale lock: the counter goes up by one.
        let unlock = try await Self.locktrail(
            app, db: db,
            [
                "unlock", "--state", appState, "--lock-id", staleID, "--reason", "runner killed",
                "--min-age", "0s", "--lockfile",
            ])
        #expect(unlock.status == 0, "\(unlock.output)")
        #expect(try await Self.locktrail(app, db: db, collect).status == 0)
        let second = try await Self.scrape(url, token: secret, in: app.directory)
        #expect(second.value("locktrail_forced_removals_total") == 1, "\(second.text)")
        #expect(second.value("locktrail_locks_held", ["bucket": bucket]) == 1, "\(second.text)")
        #expect((second.value("locktrail_events_total") ?? 0) > (first.value("locktrail_events_total") ?? 0))
        #expect((second.value("locktrail_http_requests_total", ["route": "/metrics", "status": "200"]) ?? 0) >= 1, "\(second.text)")
        #expect((second.value("locktrail_http_requests_total", ["route": "/metrics", "status": "401"]) ?? 0) >= 1, "\(second.text)")

        // A rebuild re-derives every hold and write: the counters do not move.
        #expect(try await Self.locktrail(app, db: db, ["rebuild"]).status == 0)
        let third = try await Self.scrape(url, token: secret, in: app.directory)
        #expect(third.value("locktrail_forced_removals_total") == 1, "\(third.text)")
        #expect(third.value("locktrail_unlocked_writes_total") == Double(unlockedCount), "\(third.text)")
    }

    @Test("collect --metrics-listen serves cycle durations, errors by kind and events appended")
    func collectorMetrics() async throws {
        let table = TestAWS.uniqueName("locks")
        let missing = TestAWS.uniqueName("nosuchbucket")
        let bucket = TestAWS.uniqueName("state")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        try await TestAWS.createBucket(bucket)
        let project = try TerraformProject(bucket: bucket, dynamoDBTable: table)
        try await project.initialize()
        #expect(try await project.run(["apply", "-auto-approve", "-no-color"]).status == 0)
        let db = try await TestDatabase.make()
        let port = TCP.freePort()
        let collector = try project.start(
            ["collect", "--interval", "1s", "--dynamodb-table", table, "--s3-bucket", missing, "--metrics-listen", "127.0.0.1:\(port)"],
            extraEnvironment: ["DATABASE_URL": db.conninfo], program: LocktrailBinary.path)
        defer { collector.signal(SIGTERM) }
        #expect(TCP.waitForListener(port: port))
        try await Task.sleep(for: .seconds(2.5))
        let scrape = try await Self.scrape("http://127.0.0.1:\(port)/metrics", token: nil, in: project.directory)
        let source = "dynamodb:us-east-1/\(table)"
        #expect((scrape.value("locktrail_cycle_duration_seconds_count", ["source": source, "outcome": "ok"]) ?? 0) >= 2, "\(scrape.text)")
        #expect((scrape.value("locktrail_events_appended_total", ["source": source]) ?? 0) >= 1, "\(scrape.text)")
        let errors = scrape.samples.filter { $0.name == "locktrail_cycle_errors_total" && $0.labels["source"] == "s3:\(missing)" }
        #expect(errors.contains { ($0.labels["kind"] ?? "").hasPrefix("aws:") && $0.value >= 1 }, "\(scrape.text)")
        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0, "\(collector.output)")
    }

    @Test("docs/alerts.yml passes promtool check rules, and its unit tests (promtool test rules)")
    func alertRules() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        // promtool's output goes to a scratch folder, not the repository.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lt-alerts-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let check = try Spawned(
            ["promtool", "check", "rules", root.appendingPathComponent("docs/alerts.yml").path],
            environment: ProcessInfo.processInfo.environment, directory: scratch)
        #expect(await check.wait() == 0, "\(check.output)")
        // Each alert fires on the series that should fire it, and only then.
        let unit = try Spawned(
            ["promtool", "test", "rules", root.appendingPathComponent("Tests/alerts/alerts_test.yml").path],
            environment: ProcessInfo.processInfo.environment, directory: scratch)
        #expect(await unit.wait() == 0, "\(unit.output)")
        let text = try String(contentsOf: root.appendingPathComponent("docs/alerts.yml"), encoding: .utf8)
        for name in [
            "locktrail_stale_locks", "locktrail_source_last_success_timestamp_seconds", "locktrail_forced_removals_total",
            "locktrail_unlocked_writes_total", "locktrail_notifications_dead_letters",
        ] {
            #expect(text.contains(name), "alerts.yml alerts on \(name)")
        }
    }
}
