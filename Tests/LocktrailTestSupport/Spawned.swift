import Foundation

/// A child process for tests: posix_spawn with its output in a file, an async wait and signals.
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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_APPEND, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // `env -C` gives the child its working directory: changing the test process's own (Swift
        // does not see posix_spawn's chdir action) raced with tests starting commands in parallel,
        // and terraform then ran in another test's folder. env execs the command, keeping the pid.
        let arguments = ["/usr/bin/env", "-C", directory.path] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
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
                var raw: Int32 = 0
                while waitpid(self.pid, &raw, 0) == -1 && errno == EINTR {}
                let code = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
                self.lock.lock(); self.status = code; self.lock.unlock()
                continuation.resume(returning: code)
            }
        }
    }

    /// What the process printed so far.
    public var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
}
