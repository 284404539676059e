public import Foundation

/// A private PostgreSQL server that locktrail starts for itself when no database is configured:
/// initdb/pg_ctl of the system's PostgreSQL, a data directory under a local state folder, and a
/// unix socket in that folder only. As root the server runs as the `postgres` user (PostgreSQL
/// refuses to run as root), and the folder lives where that user can reach it.
///
/// Only the user who runs locktrail can connect, twice over: the socket's folder is 0700, owned
/// by the server's user (the user itself; under root `postgres`, whose folder root enters
/// anyway), and the server takes only `peer` authentication on the socket, through an ident map
/// naming that user (as root: root and `postgres`). No TCP listener, no `trust`, no password.
public struct EmbeddedPostgres: Sendable {
    /// The state folder: `data/`, `socket/` and `server.log` live here.
    public let directory: URL
    /// The port number, which names the socket file (no TCP listener is opened).
    public let port: Int

    /// The server under `directory`.
    public init(directory: URL, port: Int = 5432) {
        self.directory = directory
        self.port = port
    }

    /// `$LOCKTRAIL_HOME/postgres`; otherwise `/var/lib/locktrail/postgres` for root and
    /// `$XDG_STATE_HOME/locktrail/postgres` (default `~/.local/state`) for other users.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["LOCKTRAIL_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home).appendingPathComponent("postgres")
        }
        if geteuid() == 0 { return URL(fileURLWithPath: "/var/lib/locktrail/postgres") }
        let state =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.local/state")
        return URL(fileURLWithPath: state).appendingPathComponent("locktrail/postgres")
    }

    var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// The folder holding the server's unix socket.
    public var socketDirectory: URL { directory.appendingPathComponent("socket") }
    var logFile: URL { directory.appendingPathComponent("server.log") }

    /// The libpq connection string for the `locktrail` database of this server.
    public var conninfo: String { "host=\(socketDirectory.path) port=\(port) user=locktrail dbname=locktrail" }

    /// Why the private server could not be started; says what to do.
    public struct Failure: Error, CustomStringConvertible {
        /// One sentence a user can act on.
        public var description: String
    }

    /// What `start` did.
    public struct StartOutcome: Sendable, Equatable {
        /// This call started the server (false: it was running already).
        public var started: Bool
        /// The cluster's access rules were not the current ones (a cluster made by an older
        /// locktrail, which trusted every local user) and have been replaced.
        public var accessRulesReplaced: Bool

        /// An outcome (tests compare with one).
        public init(started: Bool, accessRulesReplaced: Bool) {
            self.started = started
            self.accessRulesReplaced = accessRulesReplaced
        }
    }

    /// The database role locktrail connects as; initdb makes it the superuser.
    static let role = "locktrail"

    /// The OS users allowed to connect: whoever runs locktrail, and as root also `postgres`,
    /// the server's own user (which runs initdb and pg_ctl there).
    static func allowedUsers() throws -> [String] {
        guard let me = getpwuid(geteuid()).map({ String(cString: $0.pointee.pw_name) }) else {
            throw Failure(
                description:
                    "the private PostgreSQL admits OS users by name, and user id \(geteuid()) has none: add it to /etc/passwd, or point locktrail at a database with --database or DATABASE_URL."
            )
        }
        return geteuid() == 0 ? [me, "postgres"] : [me]
    }

    /// The allowed OS users for people: `root and postgres`, `alice`.
    public static func allowedUsersText() throws -> String {
        let users = try allowedUsers()
        return users.count == 2 ? "the OS users \(users[0]) and \(users[1])" : "the OS user \(users[0])"
    }

    /// Whether the cluster has been created (by `start`).
    public var exists: Bool { FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) }

    /// `pg_hba.conf`: peer authentication on the unix socket through the `locktrail` map, and
    /// nothing else (no host lines: a TCP connection matches no rule and is refused, even if
    /// someone starts the cluster by hand with a listener).
    static let hostBasedAuthentication = """
        # Managed by locktrail: rewritten by every `locktrail db start`.
        # Only the OS users of pg_ident.conf's "locktrail" map, over the unix socket, with peer
        # authentication (the kernel names the connecting user). No TCP, no passwords, no trust.
        # TYPE  DATABASE  USER  METHOD
        local   all       all   peer map=locktrail

        """

    /// `pg_ident.conf`: each allowed OS user may connect as the `locktrail` role, and only so.
    static func identMap(users: [String]) -> String {
        """
        # Managed by locktrail: rewritten by every `locktrail db start`.
        # MAPNAME  SYSTEM-USERNAME  PG-USERNAME

        """ + users.map { "locktrail  \($0)  \(role)\n" }.joined()
    }

    /// Whether the cluster's access rules are the ones this locktrail writes (false for a
    /// cluster made by an older locktrail: `locktrail db start` replaces them).
    public func accessRulesAreCurrent() -> Bool {
        guard let users = try? Self.allowedUsers() else { return false }
        return (try? String(contentsOf: hbaFile, encoding: .utf8)) == Self.hostBasedAuthentication
            && (try? String(contentsOf: identFile, encoding: .utf8)) == Self.identMap(users: users)
    }

    var hbaFile: URL { dataDirectory.appendingPathComponent("pg_hba.conf") }
    var identFile: URL { dataDirectory.appendingPathComponent("pg_ident.conf") }

    /// Whether the server is running (pg_ctl status).
    public func isRunning() -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path),
            let pgctl = try? Self.binary("pg_ctl")
        else { return false }
        return (try? run(pgctl, ["status", "-D", dataDirectory.path], quiet: true)) != nil
    }

    /// Creates the cluster on first use, brings its access rules to the current ones, starts
    /// the server if it is not running (or reloads its rules if it is), and creates the
    /// `locktrail` database.
    @discardableResult
    public func start() throws -> StartOutcome {
        let fm = FileManager.default
        let users = try Self.allowedUsers()
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try fm.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        let creating = !fm.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
        if creating {
            try fm.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            try handToServerUser()
            // Never trust, not even until the rules below are written.
            try run(
                try Self.binary("initdb"),
                [
                    "-D", dataDirectory.path, "-U", Self.role, "--auth-local=peer", "--auth-host=reject", "-E", "UTF8", "--locale=C.UTF-8",
                ])
        }
        try handToServerUser()
        // initdb's own rules are replaced too, but only an existing cluster's count as news.
        let replaced = try writeAccessRules(users: users) && !creating
        if isRunning() {
            // A server started under older rules keeps them until it rereads its files (its
            // socket file may stay 0777 until it restarts: the 0700 folder covers that).
            if replaced { try run(try Self.binary("pg_ctl"), ["-D", dataDirectory.path, "reload"]) }
            return StartOutcome(started: false, accessRulesReplaced: replaced)
        }
        // The server outlives pg_ctl and may hold inherited descriptors: give pg_ctl no pipes.
        do {
            try run(
                try Self.binary("pg_ctl"),
                [
                    "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60",
                    "-o", "-k \(socketDirectory.path) -p \(port) -c listen_addresses='' -c unix_socket_permissions=0700", "start",
                ], capture: false)
        } catch {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(3).joined(separator: " / ")
            throw Failure(description: "the private PostgreSQL did not start: \(tail.isEmpty ? "\(error)" : tail) (log: \(logFile.path))")
        }
        // Create the database; "already exists" is fine.
        let psql = try Self.binary("psql")
        let exists = try run(
            psql,
            [
                "-h", socketDirectory.path, "-p", String(port), "-U", Self.role, "-d", "postgres",
                "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'locktrail'",
            ], quiet: true)
        if !exists.contains("1") {
            try run(
                psql,
                [
                    "-h", socketDirectory.path, "-p", String(port), "-U", Self.role, "-d", "postgres",
                    "-c", "CREATE DATABASE locktrail",
                ], quiet: true)
        }
        return StartOutcome(started: true, accessRulesReplaced: replaced)
    }

    /// Writes `pg_hba.conf` and `pg_ident.conf` unless they already say what they should;
    /// returns true if it changed them. The folders are closed to other users here too: a
    /// cluster made by an older locktrail left its socket folder open.
    private func writeAccessRules(users: [String]) throws -> Bool {
        for url in [directory, socketDirectory] { chmod(url.path, 0o700) }
        var changed = false
        for (url, text) in [(hbaFile, Self.hostBasedAuthentication), (identFile, Self.identMap(users: users))] {
            if (try? String(contentsOf: url, encoding: .utf8)) == text { continue }
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw Failure(
                    description:
                        "cannot write \(url.path), which says who may connect to the private PostgreSQL (\(error.localizedDescription)): run locktrail as the user who owns \(directory.path), or as root."
                )
            }
            chmod(url.path, 0o600)
            if geteuid() == 0, let pw = getpwnam("postgres") { chown(url.path, pw.pointee.pw_uid, pw.pointee.pw_gid) }
            changed = true
        }
        return changed
    }

    /// Stops the server (fast shutdown). Returns false if it was not running.
    @discardableResult
    public func stop() throws -> Bool {
        guard isRunning() else { return false }
        try run(try Self.binary("pg_ctl"), ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"])
        return true
    }

    /// As root, the data and socket folders belong to `postgres`, which must also be able to
    /// traverse every parent folder.
    private func handToServerUser() throws {
        guard geteuid() == 0 else { return }
        guard let pw = getpwnam("postgres") else {
            throw Failure(
                description:
                    "running as root, the private PostgreSQL needs the `postgres` user: install Debian's postgresql package (apt-get install postgresql)."
            )
        }
        // The server user must be able to traverse every folder above ours.
        var ancestor = directory.deletingLastPathComponent()
        while ancestor.path != "/" {
            var info = stat()
            if stat(ancestor.path, &info) == 0, info.st_mode & S_IXOTH == 0, info.st_uid != pw.pointee.pw_uid {
                throw Failure(
                    description:
                        "the private PostgreSQL runs as the `postgres` user, which cannot enter \(ancestor.path) (no o+x permission): set LOCKTRAIL_HOME to a folder it can reach, or run `chmod o+x \(ancestor.path)`."
                )
            }
            ancestor = ancestor.deletingLastPathComponent()
        }
        for url in [directory, dataDirectory, socketDirectory] {
            chown(url.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
        chmod(dataDirectory.path, 0o700)
        if FileManager.default.fileExists(atPath: logFile.path) {
            chown(logFile.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
        } else {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            chown(logFile.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
    }

    /// Runs a PostgreSQL program, as `postgres` when we are root; returns its standard output.
    @discardableResult
    private func run(_ program: String, _ arguments: [String], quiet: Bool = false, capture: Bool = true) throws -> String {
        let asServerUser = geteuid() == 0 && !program.hasSuffix("/psql")
        let outcome: ChildProcess.Outcome
        do {
            outcome =
                asServerUser
                ? try ChildProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments, capture: capture)
                : try ChildProcess.run(program, arguments, capture: capture)
        } catch {
            throw Failure(description: "cannot run \(program): \(error)")
        }
        guard outcome.status == 0 else {
            let text = (outcome.errors.isEmpty ? outcome.output : outcome.errors).trimmingCharacters(in: .whitespacesAndNewlines)
            if quiet { throw Failure(description: text) }
            let name = (program as NSString).lastPathComponent
            throw Failure(
                description: "the private PostgreSQL could not be prepared: \(name) failed (status \(outcome.status)): \(text) (log: \(logFile.path))"
            )
        }
        return outcome.output
    }

    /// The path of a PostgreSQL program: `pg_config --bindir`, then Debian's newest
    /// /usr/lib/postgresql/N/bin, then PATH.
    static func binary(_ name: String) throws -> String {
        let fm = FileManager.default
        var candidates: [String] = []
        if let versions = try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            for v in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                candidates.append("/usr/lib/postgresql/\(v)/bin/\(name)")
            }
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            candidates.append("\(dir)/\(name)")
        }
        if let found = candidates.first(where: { fm.isExecutableFile(atPath: $0) }) { return found }
        throw Failure(
            description:
                "\(name) was not found: install PostgreSQL's server (apt-get install postgresql), or point locktrail at a database with --database or DATABASE_URL."
        )
    }
}
