import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// `collect` on a libpq multi-host connection string while the primary is stopped and its
/// streaming replica promoted (Fixtures/pg_pair.sh: initdb, pg_basebackup, pg_ctl promote).
@Suite("PostgreSQL failover", .serialized)
struct FailoverTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pg_pair.sh").path

    static func pair(_ arguments: [String]) async throws -> String {
        let process = try Spawned([script] + arguments, environment: ProcessInfo.processInfo.environment,
                                  directory: URL(fileURLWithPath: NSTemporaryDirectory()))
        guard await process.wait() == 0 else { throw TerraformFailure(command: "(pg_pair.sh \(arguments.joined(separator: " ")))", output: process.output) }
        return process.output
    }

    @Test("the primary stopped and the replica promoted mid-run: the collector reconnects; with synchronous replication every committed event survives, none is doubled",
          arguments: ["sync", "async"])
    func failover(_ mode: String) async throws {
        let directory = NSTemporaryDirectory() + "lt-failover-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ports = try await Self.pair(["start", directory, mode]).split(whereSeparator: \.isWhitespace).map(String.init)
        defer { _ = try? ChildProcessForTests.run([Self.script, "stop", directory]) }
        let conninfo = "host=127.0.0.1,127.0.0.1 port=\(ports[0]),\(ports[1]) user=locktrail dbname=postgres target_session_attrs=read-write connect_timeout=2"
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment { environment[k] = v }
        environment["DATABASE_URL"] = conninfo
        let scratch = URL(fileURLWithPath: directory)
        let migrate = try Spawned([LocktrailBinary.path, "migrate"], environment: environment, directory: scratch)
        #expect(await migrate.wait() == 0, "\(migrate.output)")

        let table = TestAWS.uniqueName("locks")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        let collector = try Spawned([LocktrailBinary.path, "collect", "--dynamodb-table", table, "--interval", "0.3s", "--lease-duration", "1.5s"],
                                    environment: environment, directory: scratch)
        defer { collector.signal(SIGKILL) }
        let pool = PostgresPool(conninfo: conninfo, maxConnections: 1)
        func states() async -> [String] {
            (try? await pool.withConnection { try EventLog.list(after: 0, kind: "state.written", state: nil, limit: 10_000, on: $0) }
                .compactMap(\.event.state)) ?? []
        }
        func write(_ n: Int) async throws {
            try await client.putItem(table: table, item: ["LockID": .string("b/s\(n).tfstate-md5"), "Digest": .string(String(format: "%032x", n))])
        }

        var n = 0
        while n < 8 { try await write(n); n += 1; try await Task.sleep(for: .milliseconds(150)) }
        try await Task.sleep(for: .milliseconds(600))
        // What the primary has acknowledged just before it goes.
        let acknowledged = try await pool.withConnection { try EventLog.head(on: $0) }
        try await Self.pair(["stop-primary", directory])
        let stopped = Date()
        try await Self.pair(["promote", directory])
        let promoted = Date().timeIntervalSince(stopped)
        try await write(n); n += 1
        // Recovered once an item written after the failover is recorded on the new primary.
        var recovered: Double?
        while Date().timeIntervalSince(stopped) < 60 {
            if await states().contains("b/s\(n - 1).tfstate") { recovered = Date().timeIntervalSince(stopped); break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(recovered != nil, "the collector did not recover: \(collector.output.suffix(3000))")
        while n < 12 { try await write(n); n += 1; try await Task.sleep(for: .milliseconds(150)) }
        let deadline = Date().addingTimeInterval(30)
        var recorded: [String] = []
        while Date() < deadline {
            recorded = await states()
            if recorded.count >= n { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        collector.signal(SIGTERM)
        #expect(await collector.wait() == 0, "\(collector.output.suffix(2000))")

        let survived = try await pool.withConnection { try EventLog.hash(ofEvent: acknowledged.seq, on: $0) } == acknowledged.hash
        #expect(recorded.sorted() == (0..<n).map { "b/s\($0).tfstate" }.sorted(), "every write recorded exactly once")
        #expect(try await pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
        if mode == "sync" { #expect(survived, "the acknowledged head \(acknowledged.seq) survived the failover") }
        print("failover (\(mode)): promote \(String(format: "%.2f", promoted)) s, first commit on the new primary \(String(format: "%.2f", recovered ?? -1)) s after the primary stopped; acknowledged head \(acknowledged.seq) \(survived ? "survived" : "was lost")")
        await pool.close()
    }
}

/// A command run to completion from a `defer` (no async there).
enum ChildProcessForTests {
    static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
