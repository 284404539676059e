#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
import LocktrailSystem
#endif

/// What `locktrail wrap` and `locktrail-wrap` do once their own options are read: run the
/// command under a `WrapSession`, hand what could not be sent to a detached flusher, and end
/// exactly as the command ended (same exit status, or death by the same signal).
public enum WrapRunner {
    /// Runs `command` (`["terraform", "apply", …]`) and exits with its status; never returns.
    /// `name` prefixes messages; `flushArguments` are this program's arguments (after argv[0])
    /// that send the spool, run detached when events are left unsent.
    public static func runAndExit(
        _ command: [String], name: String, verbose: Bool, flushArguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async -> Never {
        let spool = HookSpool(directory: HookSpool.defaultDirectory(environment: environment))
        var heartbeat = WrapSession.defaultHeartbeat
        switch WrapSession.heartbeatInterval(environment) {
        case .success(let seconds): heartbeat = seconds
        case .failure(let problem): if verbose { printError("\(name): \(problem)") }
        }
        let session = WrapSession(
            arguments: command, environment: environment, spool: spool,
            client: HookClient.fromEnvironment(environment, spool: spool), heartbeatInterval: heartbeat)
        let termination: WrappedProcess.Termination
        do {
            termination = try await session.run()
        } catch {
            // As a shell would: the command could not be started.
            let reason = (error as? POSIXError).map { String(cString: strerror($0.code.rawValue)) } ?? "\(error)"
            printError("\(name): cannot run \(command[0]): \(reason)")
            exit(127)
        }
        let unsent = await session.finishReporting()
        if unsent > 0 { spawnDetached(flushArguments) }
        if verbose {
            for problem in session.reportingProblems { printError("\(name): \(problem)") }
        }
        switch termination {
        case .exited(let code):
            exit(code)
        case .signaled(let number):
            // Die of the same signal, so whoever started us sees what they would have seen.
            _ = signal(number, SIG_DFL)
            kill(getpid(), number)
            exit(128 + number)
        }
    }

    /// Writes one line to standard error.
    public static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// This executable's path, for starting it again.
    public static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return count > 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// Starts this executable with `arguments` in a session of its own, detached from the
    /// terminal, so the wrapper's exit never waits for an unreachable server.
    static func spawnDetached(_ arguments: [String]) {
        let null = (0...2).map { Spawn.Action.open(Int32($0), path: "/dev/null", flags: O_RDWR) }
        _ = try? Spawn.start([executablePath] + arguments, options: Spawn.Options(actions: null, newSession: true))
    }
}
