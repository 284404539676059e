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
            let pipe: PipeEnds
            do { pipe = try PipeEnds() } catch { throw Failure.failed(error.errno) }
            // Only the three standard streams reach the command: none of our sockets or files.
            // A group of its own (pgid = its pid), so the whole group can be killed; default
            // signals, nothing blocked.
            let options = Spawn.Options(
                actions: [
                    .open(0, path: "/dev/null", flags: O_RDONLY), .duplicate(pipe.write.rawValue, to: 1),
                    .open(2, path: "/dev/null", flags: O_WRONLY),
                ],
                ownProcessGroup: true, defaultSignals: true)
            let pid = try leader.withLock { leader throws(Failure) -> pid_t in
                do throws(SystemError) {
                    let pid = try Spawn.start(["/bin/sh", "-c", command], environment: environment, options: options)
                    leader = pid
                    return pid
                } catch {
                    throw Failure.failed(error.errno)
                }
            }
            let readEnd = pipe.readingEnd()  // the child has its copy of the write end; the read ends with it

            let read = readOutput(readEnd.rawValue, until: deadline)
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
                guard let status = Spawn.reapIfExited(pid) else { return nil }
                leader = nil
                return status
            }
        }
    }
}
