import Dispatch
import Foundation
import LocktrailSystem
import Synchronization

/// Runs a profile's `credential_process` with a bounded wait.
///
/// The command runs through `/bin/sh -c` in a process group of its own, so that a command that
/// hangs is stopped with everything it started: killing only the shell would leave its children
/// holding the output pipe open, and the read would never end. The wait happens on a Dispatch
/// thread, never on Swift's cooperative pool.
enum CredentialProcess {
    /// How the command ended and what it printed on standard output.
    struct Outcome {
        var status: Int32
        var output: [UInt8]
    }

    /// Why no outcome could be had.
    enum Failure: Error, Equatable {
        /// The command did not finish within the timeout; it was killed.
        case timedOut
        /// It printed more than `outputLimit`, which no credential process does; it was killed.
        case outputTooLarge
        /// The shell could not be started, or its output not read (an errno).
        case failed(Int32)
    }

    /// At most this much output is kept: credentials are a few kilobytes.
    static let outputLimit = 1 << 20

    /// Runs `command` with `environment`; kills its process group after `timeout`, or when the
    /// calling task is cancelled.
    static func run(_ command: String, environment: [String: String], timeout: Duration) async throws -> Outcome {
        let child = Child()
        let outcome = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { try child.run(command, environment: environment, timeout: timeout) })
                }
            }
        } onCancel: {
            child.killGroup()
        }
        // Killed because the caller gave up: its status says nothing about the command.
        try Task.checkCancellation()
        return outcome
    }

    /// One run's process: spawned, read, reaped; `kill` may come from another thread.
    private final class Child: Sendable {
        /// The process group leader while it has not been reaped (after that its id may be reused).
        private let leader = Mutex<pid_t?>(nil)

        /// Kills the whole process group, if it is still there.
        func killGroup() {
            leader.withLock { pid in
                if let pid { _ = kill(-pid, SIGKILL) }
            }
        }

        func run(_ command: String, environment: [String: String], timeout: Duration) throws -> Outcome {
            let deadline = ContinuousClock.now + timeout
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw Failure.failed(errno) }
            // Close-on-exec for both ends: the child gets its own copy as stdout, nothing else.
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            let readEnd = fds[0]
            defer { close(readEnd) }

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            // Only the three standard streams reach the command: none of our sockets or files.
            SpawnActions.closeDescriptors(from: 3, in: &actions)

            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            // A group of its own (pgid = its pid), default signals, nothing blocked.
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
            posix_spawnattr_setpgroup(&attributes, 0)
            var defaults = sigset_t()
            sigfillset(&defaults)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)

            let shell: [String] = ["/bin/sh", "-c", command]
            let argv: [UnsafeMutablePointer<CChar>?] = shell.map { strdup($0) } + [nil]
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { (argv + envp).forEach { free($0) } }
            var pid: pid_t = 0
            let spawned = leader.withLock { leader -> Int32 in
                let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
                if rc == 0 { leader = pid }
                return rc
            }
            close(fds[1])
            guard spawned == 0 else { throw Failure.failed(spawned) }

            let read = readOutput(readEnd, until: deadline)
            while true {
                if case .success(let output) = read, let status = reap(pid) {
                    return Outcome(status: status, output: output)
                }
                if case .failure(let failure) = read {
                    killGroup()
                    while reap(pid) == nil { usleep(1000) }
                    throw failure
                }
                if ContinuousClock.now >= deadline {
                    killGroup()
                    while reap(pid) == nil { usleep(1000) }
                    throw Failure.timedOut
                }
                usleep(5000)  // it closed its output but has not exited yet
            }
        }

        /// Standard output up to end of file, unless the deadline comes first or it is too long.
        private func readOutput(_ fd: Int32, until deadline: ContinuousClock.Instant) -> Result<[UInt8], Failure> {
            var output: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else { return .failure(.timedOut) }
                let (seconds, attoseconds) = remaining.components
                let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, milliseconds)
                if ready == 0 || (ready < 0 && errno == EINTR) { continue }
                guard ready > 0 else { return .failure(.failed(errno)) }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { return .failure(.failed(errno)) }
                if count == 0 { return .success(output) }
                output.append(contentsOf: buffer[..<count])
                if output.count > CredentialProcess.outputLimit { return .failure(.outputTooLarge) }
            }
        }

        /// The exit status (128 + signal when killed) once `pid` has exited and been reaped, else nil.
        private func reap(_ pid: pid_t) -> Int32? {
            leader.withLock { leader -> Int32? in
                var status: Int32 = 0
                var rc: pid_t
                repeat { rc = waitpid(pid, &status, WNOHANG) } while rc == -1 && errno == EINTR
                guard rc == pid else { return nil }
                leader = nil
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
        }
    }
}
