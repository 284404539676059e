#if canImport(Glibc)
public import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// The one way locktrail starts a child process (the store's `pg_ctl`/`initdb`, AWS's
/// `credential_process`, the wrapper's detached flush, the tests' terraform): `posix_spawn`,
/// with the child's descriptors said explicitly and nothing else of ours inherited, and the
/// wait that retries `EINTR`.
public enum Spawn {
    /// What the child's descriptors are, applied in order.
    public enum Action: Sendable {
        /// Opens `path` with `flags` as descriptor `fd`.
        case open(Int32, path: String, flags: Int32)
        /// Makes `to` a copy of `from` (one of ours, e.g. a pipe's write end).
        case duplicate(Int32, to: Int32)
    }

    /// How the child starts.
    public struct Options: Sendable {
        /// The child's descriptors 0, 1, 2 (and any other it should get).
        public var actions: [Action]
        /// Close every other descriptor from 3 up (the default): none of our sockets, listeners
        /// or files reach the child, whether or not they were opened close-on-exec.
        public var closeOthers: Bool
        /// A session of its own (`setsid`), detached from our terminal.
        public var newSession: Bool
        /// A process group of its own (pgid = its pid), so the whole group can be killed.
        public var ownProcessGroup: Bool
        /// Every signal at its default disposition and none blocked, whatever ours are.
        public var defaultSignals: Bool
        /// Look the program up in `PATH` (`posix_spawnp`).
        public var searchPath: Bool

        /// Options; by default nothing but the actions' descriptors is inherited.
        public init(
            actions: [Action], closeOthers: Bool = true, newSession: Bool = false, ownProcessGroup: Bool = false,
            defaultSignals: Bool = false, searchPath: Bool = false
        ) {
            self.actions = actions
            self.closeOthers = closeOthers
            self.newSession = newSession
            self.ownProcessGroup = ownProcessGroup
            self.defaultSignals = defaultSignals
            self.searchPath = searchPath
        }
    }

    /// Starts `arguments[0]` (a path, or a name looked up in `PATH` with `searchPath`) with
    /// `arguments`, in `environment` (ours when nil); returns its pid.
    public static func start(_ arguments: [String], environment: [String: String]? = nil, options: Options) throws(SystemError) -> pid_t {
        precondition(!arguments.isEmpty, "a child needs a program")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for action in options.actions {
            switch action {
            case .open(let fd, let path, let flags): posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0o644)
            case .duplicate(let from, let to): posix_spawn_file_actions_adddup2(&actions, from, to)
            }
        }
        if options.closeOthers { SpawnActions.closeDescriptors(from: 3, in: &actions) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags: Int32 = 0
        if options.newSession { flags |= 0x80 }  // POSIX_SPAWN_SETSID, a GNU extension Swift does not see
        if options.ownProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        if options.defaultSignals {
            flags |= Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigdefault(&attributes, &all)
            var none = sigset_t()
            sigemptyset(&none)
            posix_spawnattr_setsigmask(&attributes, &none)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        func spawn(_ envp: UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
            var pid: pid_t = 0
            let rc =
                options.searchPath
                ? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
                : posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
            spawned = pid
            return rc
        }
        var spawned: pid_t = 0
        let rc: Int32
        if let environment {
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            rc = envp.withUnsafeBufferPointer { spawn($0.baseAddress!) }
        } else {
            rc = spawn(environ)
        }
        let pid = spawned
        guard rc == 0 else { throw SystemError(call: options.searchPath ? "posix_spawnp" : "posix_spawn", errno: rc) }
        return pid
    }

    /// Waits for `pid` to exit and reaps it: its exit code, or 128 + the signal that killed it.
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return exitCode(status)
    }

    /// Reaps `pid` if it has exited (its exit code, as `wait` gives it), else nil.
    public static func reapIfExited(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        var rc: pid_t
        repeat { rc = waitpid(pid, &status, WNOHANG) } while rc == -1 && errno == EINTR
        return rc == pid ? exitCode(status) : nil
    }

    /// A wait status as a shell shows it: the exit code, or 128 + the signal.
    public static func exitCode(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
