import Foundation
import LocktrailCore
import LocktrailTestSupport
import Testing

/// The query commands of the `locktrail` binary, against the fixture's database and server.
@Suite("CLI query commands", .serialized)
struct CLITests {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/locktrail").path

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSONValue? { try? JSONParser.parse(Array(stdout.utf8), maxDepth: 128) }
    }

    /// Runs `locktrail ARGS` with the fixture's database (and extra environment) and waits.
    static func run(_ arguments: [String], database: Bool = true, environment: [String: String] = [:]) async throws -> Result {
        let f = try await QueryFixture.shared.value
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + (database ? ["--database", f.db.conninfo] : [])
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LOCKTRAIL_TOKEN")
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let err = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit(); continuation.resume()
            }
        }
        return Result(
            status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    @Test func current() async throws {
        let f = try await QueryFixture.shared.value
        let r = try await Self.run(["current", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json?.arrayValue?.map { $0["lock_id"] } == [.string(f.staleLockID)])
        let table = try await Self.run(["current", "--format", "table"])
        #expect(table.stdout.hasPrefix("STATE"))
        #expect(table.stdout.contains("dave@laptop"))
    }

    @Test func who() async throws {
        let f = try await QueryFixture.shared.value
        let r = try await Self.run(["who", "--state", f.tfState, "--at", f.seenHeldAt.rfc3339, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json?["lock_id"] == .string(f.applyRecord.id))
        #expect(r.json?["certainty"] == "certain")
        let nobody = try await Self.run(["who", "--state", f.tfState, "--at", "2001-01-01T00:00:00Z", "--format", "json"])
        #expect(nobody.status == 0 && nobody.stdout == "null\n")
    }

    @Test func historyForcedStaleWrites() async throws {
        let f = try await QueryFixture.shared.value
        let history = try await Self.run(["history", "--state", f.tfState, "--since", "1d", "--format", "csv"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.split(separator: "\n").count == 3)
        let forced = try await Self.run(["forced", "--since", "yesterday", "--format", "json"])
        #expect(forced.json?.arrayValue?.first?["forced_by"] == "bob@ops")
        let stale = try await Self.run(["stale", "--older-than", "2d", "--format", "json"])
        #expect(stale.json?.arrayValue?.first?["holder_alive"] == .bool(true))
        let writes = try await Self.run(["writes", "--unlocked", "--format", "json"])
        #expect(writes.json?.arrayValue?.map { $0["state"] } == [.string(f.exactState)])
        let empty = try await Self.run(["forced", "--since", "2100-01-01T00:00:00Z", "--format", "json"])
        #expect(empty.status == 0 && empty.stdout == "[]\n")
    }

    @Test func exportStreamsEveryEvent() async throws {
        let events = try await Self.run(["events", "--format", "json"])
        let count = try #require(events.json?.arrayValue?.count)
        let jsonl = try await Self.run(["export", "--format", "jsonl"])
        #expect(jsonl.status == 0)
        #expect(jsonl.stdout.split(separator: "\n").count == count)
        let csv = try await Self.run(["export", "--format", "csv", "--since", "2h"])
        #expect(csv.stdout.hasPrefix("seq,key,kind"))
    }

    @Test func unknownStateExitsTwoWithSuggestions() async throws {
        let f = try await QueryFixture.shared.value
        let r = try await Self.run(["who", "--state", f.exactState.replacingOccurrences(of: "net", with: "nett")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Did you mean '\(f.exactState)'"), "\(r.stderr)")
    }

    @Test(arguments: [
        ["who", "--state", "a/b", "--at", "half past nine"],
        ["stale", "--older-than", "forever"],
        ["history", "--limit", "0"],
        ["current", "--server", "ftp://x"],
    ])
    func badArgumentsAreUsageErrors(_ arguments: [String]) async throws {
        let r = try await Self.run(arguments)
        #expect(r.status == 64, "\(arguments): \(r.status) \(r.stderr)")
        #expect(!r.stderr.isEmpty)
    }

    @Test(
        "a time outside years 1–9999 is a usage error that says so",
        arguments: [
            ["who", "--state", "a/b", "--at", "0000-06-01T00:00:00Z"],
            ["history", "--since", "9999-12-31T23:30:00-01:00"],
            ["forced", "--until", "0001-01-01T00:30:00+01:00"],
            ["writes", "--since", "0000-01-01T00:00:00Z"],
            ["export", "--until", "0000-12-31T23:59:59Z"],
        ])
    func timesOutsideTheYearsAreUsageErrors(_ arguments: [String]) async throws {
        let r = try await Self.run(arguments)
        #expect(r.status == 64, "\(arguments): \(r.status) \(r.stderr)")
        #expect(r.stderr.contains("outside the years 0001 to 9999"), "\(r.stderr)")
        #expect(r.stderr.contains(arguments[arguments.count - 2]), "names the option: \(r.stderr)")
    }

    @Test func serverAnswersTheSame() async throws {
        let f = try await QueryFixture.shared.value
        let local = try await Self.run(["who", "--state", f.tfState, "--at", f.seenHeldAt.rfc3339, "--format", "json"])
        let remote = try await Self.run(
            ["who", "--state", f.tfState, "--at", f.seenHeldAt.rfc3339, "--format", "json", "--server", f.baseURL],
            database: false, environment: ["LOCKTRAIL_TOKEN": f.readToken])
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.stdout == local.stdout)
        let history = try await Self.run(["history", "--format", "json", "--server", f.baseURL, "--token", f.readToken], database: false)
        #expect((history.json?.arrayValue?.count ?? 0) >= 4)
        let noToken = try await Self.run(["current", "--server", f.baseURL], database: false)
        #expect(noToken.status == 1)
        #expect(noToken.stderr.contains("token"))
        let typo = try await Self.run(["who", "--state", "x/y", "--server", f.baseURL, "--token", f.readToken], database: false)
        #expect(typo.status == 2)
    }

    @Test("events and export over --server give what the database gives")
    func eventsAndExportOverServer() async throws {
        let f = try await QueryFixture.shared.value
        let local = try await Self.run(["events", "--format", "json", "--limit", "5"])
        let remote = try await Self.run(
            ["events", "--format", "json", "--limit", "5", "--server", f.baseURL, "--token", f.readToken],
            database: false)
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.json?.arrayValue?.map { $0["hash"] } == local.json?.arrayValue?.map { $0["hash"] })
        #expect(remote.json?.arrayValue?.count == 5)
        let directExport = try await Self.run(["export", "--format", "jsonl"])
        let remoteExport = try await Self.run(["export", "--format", "jsonl", "--server", f.baseURL, "--token", f.readToken], database: false)
        #expect(remoteExport.status == 0, "\(remoteExport.stderr)")
        #expect(remoteExport.stdout == directExport.stdout)
        let refused = try await Self.run(["export", "--server", f.baseURL, "--token", f.ingestToken], database: false)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("read"))
    }
}
