import Foundation
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// The private PostgreSQL admits only the user who runs locktrail: a real cluster made by the
/// code, and psql run as another local OS user against it.
///
/// Needs root (as `scripts/test` runs here): it creates the other user and runs psql as it.
@Suite("The private PostgreSQL", .serialized, .enabled(if: geteuid() == 0, "creates an OS user and runs psql as it: needs root"))
struct EmbeddedPostgresTests {
    static let otherUser = "locktrail-test-other"

    /// A cluster of its own in a folder of its own; the port only names the socket file.
    struct Cluster {
        let scratch: URL
        let server: EmbeddedPostgres
        var socket: String { server.socketDirectory.path }
        var data: URL { server.directory.appendingPathComponent("data") }

        init() throws {
            scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lt-pg-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            chmod(scratch.path, 0o755)  // the server's user (postgres, under root) must pass through
            server = EmbeddedPostgres(directory: scratch.appendingPathComponent("pg"), port: Int.random(in: 6000...6999))
        }

        func remove() {
            _ = try? server.stop()
            try? FileManager.default.removeItem(at: scratch)
        }

        /// psql as `user` (nil: this process's own user), asking who it is connected as.
        func psql(as user: String?, _ sql: String = "SELECT current_user") async throws -> (status: Int32, output: String) {
            var command = ["psql", "-X", "-h", socket, "-p", String(server.port), "-U", "locktrail", "-d", "locktrail", "-tAc", sql]
            if let user { command = ["/usr/sbin/runuser", "-u", user, "--"] + command }
            let run = try Spawned(command, environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL": "C"], directory: scratch)
            let status = await run.wait()
            return (status, run.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        /// Opens what the private server closes, so that the next check reaches PostgreSQL's own
        /// authentication: the socket folder (0700) and the socket file (0700).
        func openSocketToEveryone() {
            chmod(server.directory.path, 0o755)
            chmod(socket, 0o755)
            chmod(socket + "/.s.PGSQL.\(server.port)", 0o777)
        }
    }

    static func ensureOtherUser() async throws {
        guard getpwnam(otherUser) == nil else { return }
        let add = try Spawned(
            ["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", otherUser],
            environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"], directory: URL(fileURLWithPath: NSTemporaryDirectory()))
        let status = await add.wait()
        // Another test run may have added it meanwhile.
        if status != 0, getpwnam(otherUser) == nil { throw TestFailure("useradd \(otherUser) failed: \(add.output)") }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("locktrail's user connects; another local OS user is refused by the socket folder and, past it, by peer authentication")
    func onlyLocktrailsUser() async throws {
        try await Self.ensureOtherUser()
        let cluster = try Cluster()
        defer { cluster.remove() }
        let outcome = try cluster.server.start()
        #expect(outcome == .init(started: true, accessRulesReplaced: false))

        // locktrail itself, as it connects (the role through the ident map).
        let pool = PostgresPool(conninfo: cluster.server.conninfo, maxConnections: 1)
        try await pool.withConnection { try Migrator.migrate(on: $0) }
        await pool.close()
        #expect(try await cluster.psql(as: nil) == (0, "locktrail"))
        // As root, the server's own user may connect too (it runs initdb and pg_ctl).
        #expect(try await cluster.psql(as: "postgres") == (0, "locktrail"))

        // Another user cannot even reach the socket.
        var folder = stat()
        stat(cluster.socket, &folder)
        #expect(folder.st_mode & 0o777 == 0o700)
        let blocked = try await cluster.psql(as: Self.otherUser)
        #expect(blocked.status != 0)
        #expect(blocked.output.contains("Permission denied"), "\(blocked.output)")

        // With the folder opened by hand, PostgreSQL itself still says no.
        cluster.openSocketToEveryone()
        let refused = try await cluster.psql(as: Self.otherUser)
        #expect(refused.status != 0)
        #expect(refused.output.contains("Peer authentication failed"), "\(refused.output)")
    }

    @Test("nothing listens on TCP: no listener among the server's sockets, and no rule that would admit one")
    func noTCP() async throws {
        let cluster = try Cluster()
        defer { cluster.remove() }
        try cluster.server.start()
        #expect(try await cluster.psql(as: nil, "SHOW listen_addresses") == (0, ""))

        let postmaster = try #require(
            try String(contentsOf: cluster.data.appendingPathComponent("postmaster.pid"), encoding: .utf8)
                .split(separator: "\n").first.flatMap { Int32($0) })
        let sockets = Self.socketInodes(of: postmaster)
        // The unix socket is found among them, so the TCP check below can see what it looks for.
        // (/proc/net/unix: Flags 00010000 is a listening socket; column 6 the inode, 7 the path.)
        let socketPath = cluster.socket + "/.s.PGSQL.\(cluster.server.port)"
        let unix = Self.procNet("unix").filter { $0.count == 8 && $0[3] == "00010000" && $0[7] == socketPath }.map { $0[6] }
        #expect(unix.count == 1 && unix.allSatisfy(sockets.contains), "the server's unix socket was not found among its descriptors")
        let tcpListeners = (Self.procNet("tcp") + Self.procNet("tcp6")).filter { $0.count > 9 && $0[3] == "0A" }.map { $0[9] }
        #expect(Set(tcpListeners).isDisjoint(with: sockets), "the private PostgreSQL listens on TCP")

        let hba = try String(contentsOf: cluster.data.appendingPathComponent("pg_hba.conf"), encoding: .utf8)
        let rules = hba.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
        #expect(rules.map { $0.split(separator: " ").map(String.init) } == [["local", "all", "all", "peer", "map=locktrail"]])
    }

    @Test("a cluster an older locktrail made (trust) is brought to the rules on start, running or not", arguments: [true, false])
    func olderClusterIsFixed(running: Bool) async throws {
        try await Self.ensureOtherUser()
        let cluster = try Cluster()
        defer { cluster.remove() }
        try cluster.server.start()
        // What the older code left: every local user trusted, the socket folder open.
        let hba = cluster.data.appendingPathComponent("pg_hba.conf")
        try "local all all trust\n".write(to: hba, atomically: false, encoding: .utf8)
        cluster.openSocketToEveryone()
        if running {
            try await Self.pgctl(cluster, "reload")
            #expect(try await cluster.psql(as: Self.otherUser) == (0, "locktrail"), "the simulated old cluster should admit anyone")
        } else {
            try cluster.server.stop()
        }
        #expect(!cluster.server.accessRulesAreCurrent())

        let outcome = try cluster.server.start()
        #expect(outcome == .init(started: !running, accessRulesReplaced: true))
        #expect(cluster.server.accessRulesAreCurrent())
        #expect(try await cluster.psql(as: nil) == (0, "locktrail"))
        #expect(try await cluster.psql(as: Self.otherUser).status != 0)
        cluster.openSocketToEveryone()
        let refused = try await cluster.psql(as: Self.otherUser)
        #expect(refused.output.contains("Peer authentication failed"), "\(refused.output)")
        // Nothing left to fix.
        #expect(try cluster.server.start() == .init(started: false, accessRulesReplaced: false))
    }

    /// pg_ctl as the server's user.
    static func pgctl(_ cluster: Cluster, _ action: String) async throws {
        let bin = try #require(try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").compactMap(Int.init).max())
        let run = try Spawned(
            ["/usr/sbin/runuser", "-u", "postgres", "--", "/usr/lib/postgresql/\(bin)/bin/pg_ctl", "-D", cluster.data.path, action],
            environment: ["PATH": "/usr/bin:/bin"], directory: cluster.scratch)
        #expect(await run.wait() == 0, "\(run.output)")
    }

    /// The inodes of the sockets process `pid` holds open (`socket:[123]` descriptors).
    static func socketInodes(of pid: Int32) -> Set<String> {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return Set(
            fds.compactMap { fd -> String? in
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                    target.hasPrefix("socket:[")
                else { return nil }
                return String(target.dropFirst("socket:[".count).dropLast())
            })
    }

    /// The rows of `/proc/net/NAME`, split on whitespace, header dropped. procfs files claim
    /// size 0, which Foundation's readers take at its word: read(2) them.
    static func procNet(_ name: String) -> [[String]] {
        let fd = open("/proc/net/\(name)", O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while case let count = read(fd, &buffer, buffer.count), count > 0 { bytes += buffer[..<count] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
    }
}
