import Foundation
import LocktrailSystem

/// Runs a program to completion through `Spawn`, with only stdin/stdout/stderr inherited.
/// Foundation's `Process` leaks a descriptor into the child that daemons such as the PostgreSQL
/// server inherit, and then never reports the launcher's exit.
enum ChildProcess {
    /// What the program printed and how it ended.
    struct Outcome {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `path` with `arguments`; captures stdout/stderr when `capture`, else discards them.
    static func run(_ path: String, _ arguments: [String], capture: Bool = true) throws -> Outcome {
        guard capture else {
            // Nothing else of ours reaches the child: a daemon (the PostgreSQL server) would
            // otherwise keep the caller's sockets — a server's listener among them — open for its whole life.
            let pid = try Spawn.start(
                [path] + arguments,
                options: Spawn.Options(actions: [
                    .open(0, path: "/dev/null", flags: O_RDONLY), .open(1, path: "/dev/null", flags: O_WRONLY),
                    .open(2, path: "/dev/null", flags: O_WRONLY),
                ]))
            return Outcome(status: Spawn.wait(pid), output: "", errors: "")
        }
        let out = try PipeEnds(), err = try PipeEnds()
        let pid = try Spawn.start(
            [path] + arguments,
            options: Spawn.Options(actions: [
                .open(0, path: "/dev/null", flags: O_RDONLY), .duplicate(out.write.rawValue, to: 1), .duplicate(err.write.rawValue, to: 2),
            ]))
        // Our copies of the write ends go, so the reads below end when the child's do.
        let outRead = out.readingEnd(), errRead = err.readingEnd()
        // Read stderr on another thread so neither pipe can fill up and block the child.
        let errors = Box()
        let done = DispatchSemaphore(value: 0)
        let errFD = errRead.take()
        DispatchQueue.global().async {
            errors.data = FileHandle(fileDescriptor: errFD, closeOnDealloc: true).readDataToEndOfFile()
            done.signal()
        }
        let output = FileHandle(fileDescriptor: outRead.take(), closeOnDealloc: true).readDataToEndOfFile()
        done.wait()
        let status = Spawn.wait(pid)
        return Outcome(status: status, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors.data, as: UTF8.self))
    }
}

private final class Box: @unchecked Sendable {
    var data = Data()
}
