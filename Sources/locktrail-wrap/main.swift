import LocktrailCore
import LocktrailHTTP
import LocktrailWrapper

// `locktrail-wrap`: `locktrail wrap` in a binary of its own. It sits in front of every terraform
// run, so it starts in a few milliseconds: it links only the wrapper (no PostgreSQL, no AWS, no
// full Foundation, the Swift runtime statically) and reads its few options by hand, because an
// argument parser's reflection alone costs more than that.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

let usage = """
    usage: locktrail-wrap [--verbose] [--] COMMAND [ARGUMENT...]
           locktrail-wrap --flush [--quiet]

    Runs COMMAND (terraform, tofu, terragrunt) exactly as it would run — same terminal, prompts,
    colours, output, exit status and signals — and reports the run to the locktrail server at
    LOCKTRAIL_URL with LOCKTRAIL_TOKEN, as `locktrail wrap` does. Events wait in LOCKTRAIL_SPOOL
    (default ~/.local/state/locktrail/spool) while the server cannot be reached. While the command
    runs, a heartbeat goes every LOCKTRAIL_HEARTBEAT (default 30s).

      --verbose   print reporting problems on stderr (the command's own output is untouched)
      --flush     send what is spooled and exit: 0 when all was sent, 1 when some is left
      --quiet     with --flush: print nothing
      --version   print the version
      -h, --help  print this help
    """

// Events will be sent: libcurl loads while the command starts.
if let url = getenv("LOCKTRAIL_URL"), url.pointee != 0 { CurlHTTPClient.preload() }

var arguments = Array(CommandLine.arguments.dropFirst())
var verbose = false
var flush = false
var quiet = false
// Options come before the command; the first word that is not one starts the command.
options: while let first = arguments.first {
    switch first {
    case "--": arguments.removeFirst(); break options
    case "--verbose": verbose = true
    case "--flush": flush = true
    case "--quiet": quiet = true
    case "-h", "--help": print(usage); exit(0)
    case "--version": print(LocktrailVersion.current); exit(0)
    default:
        if first.hasPrefix("-") {
            WrapRunner.printError("locktrail-wrap: unknown option \(first)\n\n\(usage)")
            exit(64)
        }
        break options
    }
    arguments.removeFirst()
}

if flush {
    let environment = ProcessInfo.processInfo.environment
    let spool = HookSpool(directory: HookSpool.defaultDirectory(environment: environment))
    guard let client = HookClient.fromEnvironment(environment, spool: spool) else {
        WrapRunner.printError("locktrail-wrap: LOCKTRAIL_URL is not set: it names the locktrail server to send events to")
        exit(64)
    }
    let outcome = await client.flush()
    if !quiet {
        print("sent \(outcome.sent), rejected \(outcome.rejected), still spooled \(outcome.remaining)")
        if let error = outcome.error { WrapRunner.printError("locktrail-wrap: \(error)") }
    }
    exit(outcome.remaining > 0 ? 1 : 0)
}

guard !arguments.isEmpty else {
    WrapRunner.printError("locktrail-wrap: give the command to run, e.g. locktrail-wrap -- terraform plan\n\n\(usage)")
    exit(64)
}
await WrapRunner.runAndExit(arguments, name: "locktrail-wrap", verbose: verbose, flushArguments: ["--flush", "--quiet"])
