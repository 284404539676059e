import Foundation

/// A private PostgreSQL server that locktrail starts for itself when no database is configured:
/// initdb/pg_ctl of the system's PostgreSQL, a data directory under a local state folder, and a
/// unix socket in that folder only. As root the server runs as the `postgres` user (PostgreSQL
/// refuses to run as root), and the folder lives where that user can reach it.
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
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
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

    /// Whether the server is running (pg_ctl status).
    public func isRunning() -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path),
              let pgctl = try? Self.binary("pg_ctl") else { return false }
        return (try? run(pgctl, ["status", "-D", dataDirectory.path], quiet: true)) != nil
    }

    /// Creates the cluster on first use, starts the server if it is not running, and creates the
    /// `locktrail` database. Returns true if this call started it.
    @discardableResult
    public func start() throws -> Bool {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try fm.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        if !fm.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            try fm.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            try handToServerUser()
            try run(try Self.binary("initdb"), [
                "-D", dataDirectory.path, "-U", "locktrail", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
            ])
        }
        try handToServerUser()
        if isRunning() { return false }
        // The server outlives pg_ctl and may hold inherited descriptors: give pg_ctl no pipes.
        do {
            try run(try Self.binary("pg_ctl"), [
                "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60",
                "-o", "-k \(socketDirectory.path) -p \(port) -c listen_addresses=''", "start",
            ], capture: false)
        } catch {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(3).joined(separator: " / ")
            throw Failure(description: "the private PostgreSQL did not start: \(tail.isEmpty ? "\(error)" : tail) (log: \(logFile.path))")
        }
        // Create the database; "already exists" is fine.
        let psql = try Self.binary("psql")
        let exists = try run(psql, ["-h", socketDirectory.path, "-p", String(port), "-U", "locktrail", "-d", "postgres",
                                    "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'locktrail'"], quiet: true)
        if !exists.contains("1") {
            try run(psql, ["-h", socketDirectory.path, "-p", String(port), "-U", "locktrail", "-d", "postgres",
                           "-c", "CREATE DATABASE locktrail"], quiet: true)
        }
        return true
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
            throw Failure(description: "running as root, the private PostgreSQL needs the `postgres` user: install Debian's postgresql package (apt-get install postgresql).")
        }
        // The server user must be able to traverse every folder above ours.
        var ancestor = directory.deletingLastPathComponent()
        while ancestor.path != "/" {
            var info = stat()
            if stat(ancestor.path, &info) == 0, info.st_mode & S_IXOTH == 0, info.st_uid != pw.pointee.pw_uid {
                throw Failure(description: "the private PostgreSQL runs as the `postgres` user, which cannot enter \(ancestor.path) (no o+x permission): set LOCKTRAIL_HOME to a folder it can reach, or run `chmod o+x \(ancestor.path)`.")
            }
            ancestor = ancestor.deletingLastPathComponent()
        }
        for url in [directory, dataDirectory, socketDirectory] {
            chown(url.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
        chmod(dataDirectory.path, 0o700)
        chmod(socketDirectory.path, 0o700)
        if FileManager.default.fileExists(atPath: logFile.path) { chown(logFile.path, pw.pointee.pw_uid, pw.pointee.pw_gid) }
        else {
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
            outcome = asServerUser
                ? try ChildProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments, capture: capture)
                : try ChildProcess.run(program, arguments, capture: capture)
        } catch {
            throw Failure(description: "cannot run \(program): \(error)")
        }
        guard outcome.status == 0 else {
            let text = (outcome.errors.isEmpty ? outcome.output : outcome.errors).trimmingCharacters(in: .whitespacesAndNewlines)
            if quiet { throw Failure(description: text) }
            let name = (program as NSString).lastPathComponent
            throw Failure(description: "the private PostgreSQL could not be prepared: \(name) failed (status \(outcome.status)): \(text) (log: \(logFile.path))")
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
        throw Failure(description: "\(name) was not found: install PostgreSQL's server (apt-get install postgresql), or point locktrail at a database with --database or DATABASE_URL.")
    }
}
