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
            While the command runs, a heartbeat goes every LOCKTRAIL_HEARTBEAT (default 30s).
            locktrail-wrap is this command in a small executable that starts in a few milliseconds.
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
        await WrapRunner.runAndExit(arguments, name: "locktrail wrap", verbose: verbose, flushArguments: ["hook", "flush", "--quiet"])
    }
}
