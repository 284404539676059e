import Foundation
import LocktrailCore
import LocktrailTestSupport
import LocktrailWrapper
import Testing

/// What both wrappers do with any command: status and signals passed through, a command that
/// cannot start reported as a shell would, their own options read before the command.
@Suite("wrapper command line", .serialized)
struct WrapperCommandLineTests {
    struct Run {
        let status: Int32
        let output: String
        let events: [HookEvent]
    }

    /// Runs `argv` in a scratch directory with its own spool and no server.
    static func run(_ argv: [String], environment extra: [String: String] = [:]) async throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wrap-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = directory.appendingPathComponent("spool")
        var environment = ProcessInfo.processInfo.environment
        environment["LOCKTRAIL_URL"] = nil
        environment["LOCKTRAIL_SPOOL"] = spool.path
        environment.merge(extra) { _, new in new }
        let process = try Spawned(argv, environment: environment, directory: directory)
        let status = await process.wait()
        return Run(status: status, output: process.output, events: HookSpool(directory: spool).pending().map(\.event))
    }

    @Test("the exit status is the command's, and the run is reported with it", arguments: Wrapper.allCases)
    func exitStatus(_ wrapper: Wrapper) async throws {
        let run = try await Self.run(wrapper.argv(["sh", "-c", "echo out; echo err >&2; exit 7"]))
        #expect(run.status == 7)
        #expect(run.output.contains("out\n") && run.output.contains("err\n"))
        #expect(run.events.map(\.kind) == [.runStarted, .runFinished])
        #expect(run.events.last?.details["exit_code"] == 7)
        #expect(run.events.first?.details["program"] == "sh")
    }

    @Test("a command killed by a signal: the wrapper dies of the same signal", arguments: Wrapper.allCases)
    func signalDeath(_ wrapper: Wrapper) async throws {
        let run = try await Self.run(wrapper.argv(["sh", "-c", "kill -TERM $$"]))
        #expect(run.status == 128 + SIGTERM)
        #expect(run.events.last?.details["signal"] == .int(Int64(SIGTERM)))
    }

    @Test("a command that cannot start: status 127 and a message, as a shell gives", arguments: Wrapper.allCases)
    func cannotStart(_ wrapper: Wrapper) async throws {
        let run = try await Self.run(wrapper.argv(["no-such-program-locktrail"]))
        #expect(run.status == 127)
        #expect(run.output.contains("cannot run no-such-program-locktrail"), "\(run.output)")
    }

    @Test("the command's own options are left alone, also without --", arguments: Wrapper.allCases)
    func optionsAfterTheCommand(_ wrapper: Wrapper) async throws {
        var argv = wrapper.argv(["sh", "-c", "echo \"$0 $1\"", "--verbose", "--flush"])
        argv.removeAll { $0 == "--" }
        let run = try await Self.run(argv)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("--verbose --flush"), "\(run.output)")
    }

    /// Runs `argv` with a terminal for its output (`TerminalPlayer`), in a scratch directory.
    static func onTerminal(_ argv: [String], input: String? = nil, stderrFile: String? = nil, stdoutFile: String? = nil) async throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("on-terminal-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await run(TerminalPlayer.argv(argv, in: directory, input: input, stderrFile: stderrFile, stdoutFile: stdoutFile))
    }

    @Test(
        "on a terminal with input from a pipe, the command reads that input and its end, as unwrapped",
        arguments: Wrapper.allCases)
    func pipedInputOnATerminal(_ wrapper: Wrapper) async throws {
        let command = [
            "sh", "-c", "read x; echo \"got:$x\"; if read y; then echo more; else echo end-of-input; fi; [ -t 1 ] && echo stdout-is-a-terminal",
        ]
        let run = try await Self.onTerminal(wrapper.argv(command), input: "hello\n")
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("got:hello"), "\(run.output)")
        #expect(run.output.contains("end-of-input"), "\(run.output)")
        #expect(run.output.contains("stdout-is-a-terminal"), "\(run.output)")
    }

    @Test(
        "on a terminal with stderr sent to a file, errors go to the file and are still recognised",
        arguments: Wrapper.allCases)
    func stderrElsewhere(_ wrapper: Wrapper) async throws {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("errors-\(UUID().uuidString.prefix(8)).log")
        defer { try? FileManager.default.removeItem(at: errors) }
        let command = [
            "sh", "-c",
            """
            echo plan-output; [ -t 2 ] || echo stderr-is-not-a-terminal >&2
            printf 'Error releasing the state lock\\n\\nError message: lock ID "abc" does not match existing lock\\n' >&2
            """,
        ]
        let run = try await Self.onTerminal(wrapper.argv(command), stderrFile: errors.path)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("plan-output"))
        #expect(!run.output.contains("Error releasing"), "\(run.output)")
        let logged = try String(contentsOf: errors, encoding: .utf8)
        #expect(logged.contains("stderr-is-not-a-terminal") && logged.contains("Error releasing the state lock"), "\(logged)")
        #expect(run.events.contains { $0.kind == .lockReleaseFailed && $0.lockID == "abc" }, "\(run.events.map(\.kind))")
    }

    @Test(
        "stdout sent to a file, stderr on a terminal: stderr stays a terminal, stdout goes to the file",
        arguments: Wrapper.allCases)
    func stdoutElsewhere(_ wrapper: Wrapper) async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("output-\(UUID().uuidString.prefix(8)).log")
        defer { try? FileManager.default.removeItem(at: output) }
        let command = ["sh", "-c", "echo to-the-file; [ -t 1 ] || echo stdout-is-not-a-terminal; [ -t 2 ] && echo stderr-is-a-terminal >&2"]
        let run = try await Self.onTerminal(wrapper.argv(command), stdoutFile: output.path)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("stderr-is-a-terminal"), "\(run.output)")
        #expect(!run.output.contains("to-the-file"), "\(run.output)")
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(written.contains("to-the-file") && written.contains("stdout-is-not-a-terminal"), "\(written)")
    }

    @Test(
        "LOCKTRAIL_HEARTBEAT sets the heartbeat interval; a bad value falls back to 30 s and says so",
        arguments: Wrapper.allCases)
    func heartbeat(_ wrapper: Wrapper) async throws {
        let run = try await Self.run(wrapper.argv(["sleep", "2.6"]), environment: ["LOCKTRAIL_HEARTBEAT": "1s"])
        #expect(run.status == 0, "\(run.output)")
        let beats = run.events.filter { $0.kind == .runHeartbeat }
        #expect((2...3).contains(beats.count), "\(run.events.map(\.kind))")
        #expect(beats.allSatisfy { $0.details["heartbeat_seconds"] == 1 })
        #expect(run.events.first?.details["heartbeat_seconds"] == 1)

        var argv = wrapper.argv(["true"])
        argv.insert("--verbose", at: argv.firstIndex(of: "--")!)
        let bad = try await Self.run(argv, environment: ["LOCKTRAIL_HEARTBEAT": "often"])
        #expect(bad.status == 0)
        #expect(bad.output.contains("LOCKTRAIL_HEARTBEAT=often is not a duration"), "\(bad.output)")
        #expect(bad.events.first?.details["heartbeat_seconds"] == 30)
    }

    @Test("locktrail-wrap: version, help, and usage errors with status 64")
    func ownOptions() async throws {
        let binary = LocktrailBinary.path(of: "locktrail-wrap")
        let version = try await Self.run([binary, "--version"])
        #expect(version.status == 0)
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines) == LocktrailVersion.current)
        let help = try await Self.run([binary, "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("usage: locktrail-wrap"))
        let unknown = try await Self.run([binary, "--bogus", "terraform"])
        #expect(unknown.status == 64)
        #expect(unknown.output.contains("unknown option --bogus"))
        let nothing = try await Self.run([binary, "--verbose"])
        #expect(nothing.status == 64)
        let flush = try await Self.run([binary, "--flush"])
        #expect(flush.status == 64)
        #expect(flush.output.contains("LOCKTRAIL_URL is not set"))
        #expect(version.events.isEmpty && unknown.events.isEmpty)
    }
}
