import Dispatch

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
public import Glibc
import LocktrailSystem
#endif

/// Runs a command exactly as if it had been started directly — same terminal (a pseudo-terminal
/// when stdout is one, so colours and prompts behave), stdin, exit code and signals — while
/// every line it prints is also handed to `onLine`. Used from one thread at a time.
public final class WrappedProcess: @unchecked Sendable {
    /// How the command ended.
    public enum Termination: Equatable, Sendable {
        /// It exited with this status.
        case exited(Int32)
        /// It was killed by this signal.
        case signaled(Int32)

        /// The status a shell would report: the exit code, or 128 + signal.
        public var shellStatus: Int32 {
            switch self {
            case .exited(let code): return code
            case .signaled(let signal): return 128 + signal
            }
        }
    }

    private let arguments: [String]
    private let onLine: @Sendable (String) -> Void
    private var partialLines: [Int32: [UInt8]] = [:]

    /// A command to run; `onLine` sees each output line (stdout and stderr, without the newline).
    public init(arguments: [String], onLine: @escaping @Sendable (String) -> Void) {
        self.arguments = arguments
        self.onLine = onLine
    }

    /// Whether the wrapper gives the command a pseudo-terminal: when its output goes to one.
    public static var outputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 || isatty(STDERR_FILENO) == 1 }

    /// Starts the command, relays its I/O until it ends, and returns how it ended. `onStart`
    /// gets the child's pid as soon as it runs. Throws only if the command cannot be started.
    public func run(onStart: @Sendable (pid_t) -> Void = { _ in }) throws -> Termination {
        Self.outputIsTerminal ? try runWithTerminal(onStart: onStart) : try runWithPipes(onStart: onStart)
    }

    // MARK: Pseudo-terminal mode

    private func runWithTerminal(onStart: (pid_t) -> Void) throws -> Termination {
        guard let (master, slavePath) = PseudoTerminal.open() else {
            return try runWithPipes(onStart: onStart)  // no pty available: still run the command
        }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        Self.copyWindowSize(to: master)
        // Only the streams that are terminals here go through the pty, so the command sees each
        // one as it would unwrapped: input from a pipe or file stays its own stdin (the same
        // bytes, the same end: `echo yes | terraform apply`), and output sent elsewhere
        // (`2>errors.log`, `| tee`) goes there through a pipe, read for the scanner on the way.
        let onTerminal = [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO].filter { isatty($0) == 1 }
        var pipes: [Int32: (read: Int32, write: Int32)] = [:]  // our stdout/stderr → its pipe
        for fd in [STDOUT_FILENO, STDERR_FILENO] where !onTerminal.contains(fd) {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else {
                close(master)
                pipes.values.forEach {
                    close($0.read); close($0.write)
                }
                return try runWithPipes(onStart: onStart)
            }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            pipes[fd] = (ends[0], ends[1])
        }

        // The child gets a session of its own with the pty as its controlling terminal, so
        // Ctrl-C typed by the user reaches terraform through the terminal driver, as usual.
        let first = onTerminal[0]
        let actions: [Spawn.Action] =
            [.open(first, path: slavePath, flags: O_RDWR)]
            + onTerminal.dropFirst().map { Spawn.Action.duplicate(first, to: $0) }
            + pipes.map { fd, ends in Spawn.Action.duplicate(ends.write, to: fd) }

        let saved = RawTerminal.enter()
        defer { saved?.restore() }
        let pid: pid_t
        do { pid = try spawn(actions, newSession: true) } catch {
            close(master)
            pipes.values.forEach {
                close($0.read); close($0.write)
            }
            throw error
        }
        pipes.values.forEach { close($0.write) }
        onStart(pid)
        let forwarder = SignalForwarder(child: pid, signals: [SIGTERM, SIGHUP, SIGQUIT, SIGINT], windowChangeTarget: master)

        // Relay: our stdin (when it is the terminal) → pty; pty → our first terminal output;
        // each pipe → its stream; what the command prints also to the scanner.
        let terminalOutput = onTerminal.contains(STDOUT_FILENO) ? STDOUT_FILENO : STDERR_FILENO
        var sources: [Int32: Int32] = [master: terminalOutput]  // what we read → where it goes
        for (fd, ends) in pipes { sources[ends.read] = fd }
        var stdinOpen = onTerminal.contains(STDIN_FILENO)
        var buffer = [UInt8](repeating: 0, count: 16384)
        var status: Int32 = 0
        var reaped = false
        relay: while true {
            var fds = sources.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if stdinOpen { fds.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), 200)
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == STDIN_FILENO && stdinOpen {
                    let n = read(STDIN_FILENO, &buffer, buffer.count)
                    if n > 0 { writeAll(master, buffer, n) } else { stdinOpen = false }
                    continue
                }
                guard let target = sources[entry.fd] else { continue }
                let n = read(entry.fd, &buffer, buffer.count)
                if n > 0 {
                    writeAll(target, buffer, n)
                    scan(buffer, n, stream: entry.fd)
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    // The pty's EIO: every holder of the terminal's other side closed it.
                    if entry.fd == master { break relay }
                    sources.removeValue(forKey: entry.fd)
                    close(entry.fd)
                }
            }
            if !reaped, waitpid(pid, &status, WNOHANG) == pid { reaped = true }
            if reaped && ready == 0 { break }
        }
        // What the pipes still hold once the terminal closed (not waiting on a pipe that a
        // leftover grandchild keeps open and silent).
        for (fd, target) in sources where fd != master {
            var entry = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            while poll(&entry, 1, 200) > 0 {
                let n = read(fd, &buffer, buffer.count)
                if n > 0 { writeAll(target, buffer, n); scan(buffer, n, stream: fd) } else if n == 0 || errno != EINTR { break }
            }
            close(fd)
        }
        if !reaped { while waitpid(pid, &status, 0) == -1 && errno == EINTR {} }
        forwarder.stop()
        close(master)
        flushLines()
        return Self.termination(status)
    }

    // MARK: Pipe mode

    private func runWithPipes(onStart: (pid_t) -> Void) throws -> Termination {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw POSIXError(.EMFILE) }
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do { pid = try spawn([.duplicate(out[1], to: 1), .duplicate(err[1], to: 2)], newSession: false) } catch {
            (out + err).forEach { close($0) }
            throw error
        }
        close(out[1]); close(err[1])
        onStart(pid)
        // The child shares our process group, so a Ctrl-C on the terminal reaches it directly;
        // signals sent to the wrapper alone are forwarded.
        let forwarder = SignalForwarder(
            child: pid, signals: [SIGTERM, SIGHUP, SIGQUIT, SIGINT], windowChangeTarget: nil,
            skipGroupSignals: true)
        var open = [out[0]: STDOUT_FILENO, err[0]: STDERR_FILENO]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            var fds = open.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue } else { break } }
            for fd in fds where fd.revents != 0 {
                let n = read(fd.fd, &buffer, buffer.count)
                if n > 0 {
                    writeAll(open[fd.fd]!, buffer, n)
                    scan(buffer, n, stream: fd.fd)
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fd.fd)
                    open.removeValue(forKey: fd.fd)
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        forwarder.stop()
        flushLines()
        return Self.termination(status)
    }

    // MARK: Helpers

    /// The child starts with default signal handling and nothing blocked, whatever the wrapper
    /// ignores or blocks, so terraform sees signals exactly as when run directly; with
    /// `newSession` it also leads a session of its own (for the pseudo-terminal).
    /// Starts the command through `Spawn`, looked up in PATH, with every signal at its default
    /// and none blocked. Unlike a helper's child it inherits our other descriptors: the wrapper
    /// is transparent (a `3>file` given to terraform still reaches it); ours are close-on-exec.
    private func spawn(_ actions: [Spawn.Action], newSession: Bool) throws -> pid_t {
        do {
            return try Spawn.start(
                arguments,
                options: Spawn.Options(
                    actions: actions, closeOthers: false, newSession: newSession, defaultSignals: true, searchPath: true))
        } catch {
            throw POSIXError(POSIXErrorCode(rawValue: error.errno) ?? .ENOENT)
        }
    }

    /// Splits what `stream` printed into lines for `onLine`; each stream keeps its own partial
    /// line, so stdout and stderr never mix within one.
    private func scan(_ buffer: [UInt8], _ count: Int, stream: Int32) {
        var line = partialLines[stream, default: []]
        for i in 0..<count {
            if buffer[i] == 0x0a {
                if !line.isEmpty { onLine(String(decoding: line, as: UTF8.self)) }
                line.removeAll(keepingCapacity: true)
            } else if line.count < 1 << 20 {
                line.append(buffer[i])
            }
        }
        partialLines[stream] = line
    }

    /// Hands over the last unfinished line of every stream.
    private func flushLines() {
        for stream in partialLines.keys.sorted() where !partialLines[stream]!.isEmpty {
            onLine(String(decoding: partialLines[stream]!, as: UTF8.self))
        }
        partialLines.removeAll()
    }

    private func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) {
        var offset = 0
        while offset < count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, count - offset) }
            if n < 0 { if errno == EINTR { continue } else { return } }
            offset += n
        }
    }

    static func termination(_ status: Int32) -> Termination {
        (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }

    static func copyWindowSize(to fd: Int32) {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 { _ = ioctl(fd, UInt(TIOCSWINSZ), &size) }
    }
}

/// Our terminal in raw mode while the child owns the pty, restored afterwards.
struct RawTerminal {
    private var saved: termios

    /// Puts stdin's terminal in raw mode; nil when stdin is not a terminal.
    static func enter() -> RawTerminal? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        var attributes = termios()
        guard tcgetattr(STDIN_FILENO, &attributes) == 0 else { return nil }
        let saved = attributes
        cfmakeraw(&attributes)
        tcsetattr(STDIN_FILENO, TCSANOW, &attributes)
        return RawTerminal(saved: saved)
    }

    /// Restores the terminal as it was.
    func restore() {
        var attributes = saved
        tcsetattr(STDIN_FILENO, TCSANOW, &attributes)
    }
}

/// Forwards signals the wrapper receives to the child (so terraform can release its lock), and
/// terminal size changes to the pty.
final class SignalForwarder: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "locktrail.wrap.signals")

    init(child: pid_t, signals: [Int32], windowChangeTarget: Int32?, skipGroupSignals: Bool = false) {
        for sig in signals {
            signal(sig, SIG_IGN)  // handled by the dispatch source, never fatal to the wrapper
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                // In pipe mode a terminal's Ctrl-C already reached the child (same process group).
                if skipGroupSignals, sig == SIGINT || sig == SIGQUIT, isatty(STDIN_FILENO) == 1, tcgetpgrp(STDIN_FILENO) == getpgrp() { return }
                kill(child, sig)
            }
            source.resume()
            sources.append(source)
        }
        if let fd = windowChangeTarget {
            signal(SIGWINCH, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: queue)
            source.setEventHandler { WrappedProcess.copyWindowSize(to: fd) }
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        sources.forEach { $0.cancel() }
        sources.removeAll()
    }
}

/// Linux pseudo-terminals through /dev/ptmx. posix_openpt/grantpt/unlockpt/ptsname are X/Open
/// functions Swift's Glibc module does not export; these are the ioctls they wrap.
enum PseudoTerminal {
    // <asm-generic/ioctls.h>: _IOW('T', 0x31, int) and _IOR('T', 0x30, unsigned int); Linux ABI, stable.
    private static let TIOCSPTLCK: UInt = 0x4004_5431
    private static let TIOCGPTN: UInt = 0x8004_5430

    /// A new master descriptor and its slave's path, or nil if no pty can be had.
    static func open() -> (Int32, String)? {
        let master = Glibc.open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { return nil }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, TIOCSPTLCK, &unlock) == 0, ioctl(master, TIOCGPTN, &number) == 0 else {
            close(master)
            return nil
        }
        return (master, "/dev/pts/\(number)")
    }
}
