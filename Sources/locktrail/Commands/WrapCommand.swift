import ArgumentParser
import Foundation
import LocktrailWrapper

/// `locktrail wrap -- terraform ARGS…`: runs the command unchanged and reports it.
struct WrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wrap",
        abstract: "Run terraform (or tofu, terragrunt) exactly as it would run, and report the run to locktrail.",
        discussion: """
            The command keeps its terminal (a pseudo-terminal when stdout is one: colours and
            prompts work), stdin, output, exit code and signals (SIGINT/SIGTERM are forwarded so
            terraform can release its lock). locktrail reports who ran what, where, for which state,
            in which CI job, how it ended, who blocked it and force-unlocks, to LOCKTRAIL_URL with
            LOCKTRAIL_TOKEN. Events wait in a spool directory (LOCKTRAIL_SPOOL, default
            ~/.local/state/locktrail/spool) while the server cannot be reached and are sent later.
            If anything in locktrail fails, the command still runs and exits as it would have.
            """)

    @Argument(parsing: .captureForPassthrough, help: "The command, after --: e.g. -- terraform apply")
    var command: [String] = []

    @Flag(name: .long, help: "Print reporting problems on stderr.")
    var verbose = false

    func validate() throws {
        if command.first == "--" { return }
        guard !command.isEmpty else { throw ValidationError("give the command to run after --, e.g. locktrail wrap -- terraform plan") }
    }

    func run() async throws {
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard !arguments.isEmpty else { throw ValidationError("give the command to run after --, e.g. locktrail wrap -- terraform plan") }
        let environment = ProcessInfo.processInfo.environment
        let spool = HookSpool(directory: HookSpool.defaultDirectory(environment: environment))
        let session = WrapSession(arguments: arguments, environment: environment, spool: spool,
                                  client: HookClient.fromEnvironment(environment, spool: spool))
        let termination: WrappedProcess.Termination
        do {
            termination = try await session.run()
        } catch {
            // As a shell would: the command could not be started.
            let reason = (error as? POSIXError).map { String(cString: strerror($0.code.rawValue)) } ?? "\(error)"
            FileHandle.standardError.write(Data("locktrail wrap: cannot run \(arguments[0]): \(reason)\n".utf8))
            throw ExitCode(127)
        }
        let unsent = await session.finishReporting()
        if unsent > 0 { HookFlusher.spawnDetached() }
        if verbose {
            for problem in session.reportingProblems { FileHandle.standardError.write(Data("locktrail wrap: \(problem)\n".utf8)) }
        }
        switch termination {
        case .exited(let code):
            Foundation.exit(code)
        case .signaled(let signal):
            // Die of the same signal, so whoever started us sees what they would have seen.
            Foundation.signal(signal, SIG_DFL)
            kill(getpid(), signal)
            Foundation.exit(128 + signal)
        }
    }
}

/// Sends what is left in the spool from a detached `locktrail hook flush`, so the wrapper's exit
/// never waits for an unreachable server.
enum HookFlusher {
    static func spawnDetached() {
        guard let path = Bundle.main.executablePath else { return }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80 /* POSIX_SPAWN_SETSID */))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup("hook"), strdup("flush"), strdup("--quiet"), nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        _ = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
    }
}
