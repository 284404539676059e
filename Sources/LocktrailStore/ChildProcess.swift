import Foundation
import LocktrailSystem

/// Runs a program to completion with posix_spawn, with only stdin/stdout/stderr inherited (our
/// pipes are close-on-exec). Foundation's `Process` leaks a descriptor into the child that
/// daemons such as the PostgreSQL server inherit, and then never reports the launcher's exit.
enum ChildProcess {
    /// What the program printed and how it ended.
    struct Outcome {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `path` with `arguments`; captures stdout/stderr when `capture`, else discards them.
    static func run(_ path: String, _ arguments: [String], capture: Bool = true) throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if capture {
            guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
            for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }

        // Nothing else of ours reaches the child (after the dup2s above, which need the pipes): a
        // daemon (the PostgreSQL server) would otherwise keep the caller's sockets — a server's
        // listener among them — open for its whole life.
        SpawnActions.closeDescriptors(from: 3, in: &actions)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        if capture {
            close(outPipe[1])
            close(errPipe[1])
        }
        guard spawned == 0 else {
            if capture { close(outPipe[0]); close(errPipe[0]) }
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
        }
        var output = Data()
        let errors = Box()
        if capture {
            // Read stderr on another thread so neither pipe can fill up and block the child.
            let done = DispatchSemaphore(value: 0)
            let errFD = errPipe[0]
            DispatchQueue.global().async {
                errors.data = FileHandle(fileDescriptor: errFD, closeOnDealloc: true).readDataToEndOfFile()
                done.signal()
            }
            output = FileHandle(fileDescriptor: outPipe[0], closeOnDealloc: true).readDataToEndOfFile()
            done.wait()
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitCode, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors.data, as: UTF8.self))
    }
}

private final class Box: @unchecked Sendable {
    var data = Data()
}
