import Foundation
import LocktrailSystem

/// A child process for tests: `Spawn` (the helper the product uses) with its output in a file,
/// an async wait and signals.
/// (Foundation's `Process` leaks a descriptor into grandchildren such as terraform's
/// provisioner shells and then reports the exit only when they are gone.)
public final class Spawned: @unchecked Sendable {
    /// The process id.
    public let pid: pid_t
    /// Where stdout and stderr go.
    public let outputFile: URL
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `arguments[0]` (looked up in PATH) with `environment`, in `directory`.
    public init(_ arguments: [String], environment: [String: String], directory: URL) throws {
        outputFile = directory.appendingPathComponent("output-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        // `env -C` gives the child its working directory: changing the test process's own (Swift
        // does not see posix_spawn's chdir action) raced with tests starting commands in parallel,
        // and terraform then ran in another test's folder. env execs the command, keeping the pid.
        let pid = try Spawn.start(
            ["/usr/bin/env", "-C", directory.path] + arguments, environment: environment,
            options: Spawn.Options(
                actions: [
                    .open(0, path: "/dev/null", flags: O_RDONLY), .open(1, path: outputFile.path, flags: O_WRONLY | O_APPEND),
                    .duplicate(1, to: 2),
                ],
                searchPath: true))
        self.pid = pid
    }

    /// Sends `signal` to the process.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the exit status (128 + signal when killed), off the cooperative pool.
    public func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.lock.lock()
                if let status = self.status { self.lock.unlock(); continuation.resume(returning: status); return }
                self.lock.unlock()
                let code = Spawn.wait(self.pid)
                self.lock.lock(); self.status = code; self.lock.unlock()
                continuation.resume(returning: code)
            }
        }
    }

    /// What the process printed so far.
    public var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
}
