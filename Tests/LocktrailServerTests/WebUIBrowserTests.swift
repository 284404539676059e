import Foundation
import LocktrailCore
import LocktrailServer
import LocktrailStore
import LocktrailTestSupport
import Testing

/// The web page in a real browser: a history made by real terraform runs on the emulator — a
/// wrapped apply, a second one blocked by it, an apply killed with SIGKILL and its lock removed by
/// a wrapped `terraform force-unlock` — recorded by the real collector source and the wrapper,
/// then Tests/LocktrailServerTests/Browser/web_ui_check.py drives headless Chromium through it
/// (under a base path, as behind a proxy). `LOCKTRAIL_SCREENSHOTS=DIR` keeps the screenshots.
@Suite("Web page in headless Chromium", .serialized, .timeLimit(.minutes(2)))
struct WebUIBrowserTests {
    typealias Claims = SoundClaimsTerraformTests

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/web_ui_check.py")
    }

    @Test("log in, board, state timeline with one bar per hold (killed apply forced, with its actor), zoom, evidence, log out")
    func browse() async throws {
        let f = try await Claims.DynamoDBFixture()
        defer { f.cleanUp() }
        let server = try await Claims.Server(db: f.db)
        let web = WebConfiguration(basePath: "/locktrail")
        let pageURL = try await QueryFixture.startServer(pool: f.db.pool, web: web) + web.basePath
        let wrapped = { (args: [String]) throws -> Spawned in
            let argv = Wrapper.executable.argv(["terraform"] + args)
            return try f.project.start(Array(argv.dropFirst()), extraEnvironment: server.wrapperEnvironment(f.project), program: argv[0])
        }
        try await f.cycle()

        // An apply, and a second one that finds the state locked (contention).
        let first = try wrapped(["apply", "-auto-approve", "-no-color", "-var", "hold=4"])
        let held = try await f.waitForLock(during: first)
        try await f.cycle()
        let blocked = try wrapped(["apply", "-auto-approve", "-no-color", "-lock-timeout=0s", "-var", "hold=0"])
        #expect(await blocked.wait() != 0, "\(blocked.output)")
        #expect(await first.wait() == 0, "\(first.output)")
        try await f.cycle()

        // An apply killed with SIGKILL leaves its lock; a wrapped force-unlock removes it.
        let victim = try f.project.start(["apply", "-auto-approve", "-no-color", "-var", "hold=120"])
        let killed = try await f.waitForLock(during: victim)
        try await f.cycle()
        victim.signal(SIGKILL)
        _ = await victim.wait()
        let unlock = try wrapped(["force-unlock", "-force", "-no-color", killed.id])
        #expect(await unlock.wait() == 0, "\(unlock.output)")
        try await f.cycle()
        try await server.flush(.executable, f.project)

        let forced = try await Claims.hold(killed.id, db: f.db)
        #expect(forced["release_kind"] == "forced", "\(forced)")
        let actor = try #require(forced["forced_by"]?.stringValue, "\(forced)")
        // `locktrail hold ID` answers the hold's page's question from the CLI.
        let cli = try await Claims.locktrail(["hold", killed.id, "--format", "json"], db: f.db)
        #expect(cli.status == 0 && cli.json?["release_kind"] == "forced", "\(cli)")
        #expect(cli.json?["events"]?.arrayValue?.contains { $0["kind"] == "lock.force_unlocked" } == true, "\(cli)")
        #expect(try await Claims.locktrail(["hold", "no-such-lock"], db: f.db).status == 2)
        let history = try await Claims.locktrail(["history", "--state", f.lockPath, "--format", "json"], db: f.db)
        let lockIDs = history.items.compactMap { $0["lock_id"]?.stringValue }
        #expect(Set(lockIDs) == [held.id, killed.id], "\(history)")

        // Zoomed to just after the first hold's latest possible end, only the forced one is left.
        let firstEnd = try #require((try await Claims.hold(held.id, db: f.db))["released_not_after"]?.stringValue.flatMap(Timestamp.init(parsing:)))
        let zoomSince = firstEnd.adding(microseconds: 1000)
        let shots = ProcessInfo.processInfo.environment["LOCKTRAIL_SCREENSHOTS"] ?? ""
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [
            "python3", Self.script.path, "--url", pageURL, "--token", server.readToken, "--state", f.lockPath,
            "--holds", lockIDs.joined(separator: ","), "--forced", killed.id, "--actor", actor,
            "--zoom-since", zoomSince.rfc3339, "--zoom-until", "now", "--zoom-holds", killed.id, "--screenshots", shots,
        ]
        let output = Pipe()
        check.standardOutput = output
        check.standardError = output
        try check.run()
        let text = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                check.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        #expect(check.terminationStatus == 0 && text.contains("PASS"), "\(text)")
    }
}
