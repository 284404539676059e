import Foundation
import LocktrailCore
import LocktrailHTTP
import LocktrailNotifications
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// The notifier when its database goes away: it lets go of its lease, waits, leads again when
/// PostgreSQL is back, and sends what happened meanwhile — once.
@Suite("Notifier and a database restart", .serialized)
struct NotifierDatabaseRestartTests {
    @Test("PostgreSQL stopped and started again under a running notifier: it carries on, and nothing is lost or sent twice")
    func databaseRestart() async throws {
        // A server of our own, so stopping it disturbs no other test.
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lt-npg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o755)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = EmbeddedPostgres(directory: directory.appendingPathComponent("pg"), port: Int.random(in: 7000...7999))
        _ = try server.start()
        defer { _ = try? server.stop() }
        let pool = PostgresPool(conninfo: server.conninfo, maxConnections: 2)
        try await pool.withConnection { try Migrator.migrate(on: $0) }
        let store = Store(pool: pool)

        // A real receiver that accepts everything.
        let port = TCP.freePort()
        let log = directory.appendingPathComponent("received.jsonl")
        try NotificationTests.receiver.write(to: directory.appendingPathComponent("receiver.py"), atomically: true, encoding: .utf8)
        let receiver = try Spawned(
            ["python3", directory.appendingPathComponent("receiver.py").path, String(port), log.path, "0", "0", "k"],
            environment: ProcessInfo.processInfo.environment, directory: directory)
        defer { receiver.signal(SIGKILL) }
        #expect(TCP.waitForListener(port: port))

        let configuration = try NotificationConfiguration.parse(
            """
            interval: 0.2s
            delivery: {max_attempts: 5, initial_backoff: 0.2s, max_backoff: 1s, timeout: 2s, allow_private_networks: true}
            webhooks:
              - {name: ops, url: 'http://127.0.0.1:\(port)/hook', events: [forced], secret_env: K}
            """, environment: ["K": "k"])
        let service = NotifierService(
            store: store, configuration: configuration,
            sender: WebhookSender(transport: CurlHTTPClient(), timeout: 2, allowPrivateNetworks: true),
            logger: Logger(label: "test.notifier"))
        let running = Task { try await service.run() }
        defer { running.cancel() }
        try await NotificationTests.eventually("the notifier's cursor") {
            try await pool.withConnection { try $0.query("SELECT count(*) FROM notification_cursor").int(0, 0) } == 1
        }

        _ = try server.stop()
        try await Task.sleep(for: .milliseconds(1000))  // passes fail, the lease goes
        _ = try server.start()
        let lockID = "7e570000-0000-4000-8000-000000000007"
        let events = NotificationTests.forcedHold(lockID, state: "restart-bucket/app/terraform.tfstate")
        // The pool's idle connections died with the server: the first tries may fail (appending is idempotent).
        try await NotificationTests.eventually("the events appended") { (try? await store.events.append(events)) != nil }
        try await NotificationTests.eventually("the delivery after the restart") {
            (try? await store.notifications.list(status: .delivered, limit: 10).count) == 1
        }
        try await Task.sleep(for: .milliseconds(600))  // a few more passes: nothing more is sent
        running.cancel()
        _ = try? await running.value
        let received = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(received.count == 1)
        #expect(try await store.notifications.list(status: nil, limit: 10).map(\.subject) == ["forced:\(lockID)"])
        await pool.close()
    }
}
