import Foundation
import LocktrailCore
import LocktrailHTTP
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// What `/readyz` tells whom, and what the access log says about each request: servers on fresh
/// databases, logging into memory (one shared by the access-log cases, one per readiness case,
/// since each spoils its database's schema).
@Suite("Readiness and the access log", .serialized)
struct HealthAndAccessLogTests {
    /// A server, its log, and one token of each scope (the secrets; the names are the scopes').
    struct Server {
        let db: TestDatabase
        let api: APIClient
        let log: CapturedLog
        let tokens: [TokenScope: String]

        init() async throws {
            db = try await TestDatabase.make()
            log = CapturedLog()
            let captured = log
            let base = try await QueryFixture.startServer(
                pool: db.pool, logger: Logger(label: "test.server") { _ in CapturedLog.Handler(log: captured) })
            api = APIClient(base: base)
            var tokens: [TokenScope: String] = [:]
            for scope in TokenScope.allCases {
                tokens[scope] = try await db.pool.withConnection { try Tokens.create(name: "\(scope.rawValue)-token", scopes: [scope], on: $0) }
            }
            self.tokens = tokens
        }

        /// GETs `path` with the token of `scope` (or `rawToken`), and returns the answer and the
        /// access-log line the server wrote for it.
        func get(
            _ path: String, scope: TokenScope?, rawToken: String? = nil
        ) async throws -> (status: Int, json: JSONValue?, text: String, logged: CapturedLog.Record?) {
            let before = log.records.count
            let response = try await api.get(path, token: rawToken ?? scope.flatMap { tokens[$0] })
            // The line is written before the response leaves the server.
            let line = log.records.dropFirst(before).last { $0.message == "request" && $0.metadata["path"] == path }
            return (response.status, response.json, response.text, line)
        }
    }

    @Test(
        "the access log names the token that authenticated the request, and never its secret",
        arguments: [
            ("/v1/current", TokenScope.read, 200, "read-token"),
            ("/v1/current", .admin, 200, "admin-token"),
            ("/v1/current", .ingest, 403, "ingest-token"),  // refused for its scope, but named
            ("/v1/current", nil, 401, "-"),
            ("/healthz", nil, 200, "-"),
            ("/readyz", .read, 200, "read-token"),
        ] as [(String, TokenScope?, Int, String)])
    func accessLogNamesTheToken(_ path: String, scope: TokenScope?, status: Int, name: String) async throws {
        let server = try await Self.shared.value
        let r = try await server.get(path, scope: scope)
        #expect(r.status == status, "\(r.text)")
        let line = try #require(r.logged, "no access-log line for \(path)")
        #expect(line.metadata["token"] == name)
        #expect(line.metadata["status"] == "\(status)")
        for secret in server.tokens.values {
            #expect(!server.log.records.contains { $0.text.contains(secret) }, "a token's secret was logged")
        }
    }

    @Test("a token that is not live is logged as none", arguments: ["lt_0000", "not-a-token"])
    func accessLogWithABadToken(_ secret: String) async throws {
        let server = try await Self.shared.value
        let r = try await server.get("/v1/current", scope: nil, rawToken: secret)
        #expect(r.status == 401)
        #expect(r.logged?.metadata["token"] == "-")
    }

    /// A database migrated by a newer locktrail: not ready, with a reason worth hiding (versions).
    @Test(
        "/readyz: only a client that may read learns why it is not ready; the log always says",
        arguments: [
            (nil as TokenScope?, nil as String?, false),
            (nil, "lt_not-a-token", false),  // a bad token is no token here, never a 401
            (.ingest, nil, false),
            (.read, nil, true),
            (.admin, nil, true),
        ])
    func readinessDetail(_ scope: TokenScope?, rawToken: String?, detailed: Bool) async throws {
        let server = try await Server()
        #expect(try await server.get("/readyz", scope: scope, rawToken: rawToken).status == 200)
        try await server.db.superuser("INSERT INTO locktrail_migrations (version, name, checksum) VALUES (999999, 'from_the_future', 'x')")

        let r = try await server.get("/readyz", scope: scope, rawToken: rawToken)
        #expect(r.status == 503)
        if detailed {
            #expect(r.json?["error"]?.stringValue?.hasPrefix("not ready: ") == true, "\(r.text)")
            #expect(r.text.contains("999999"))
        } else {
            #expect(r.json?["error"] == "not ready", "\(r.text)")
            #expect(!r.text.contains("999999") && !r.text.contains("version"), "\(r.text)")
        }
        let reason = server.log.records.last { $0.message == "not ready" }
        #expect(reason?.level == .warning)
        #expect(reason?.metadata["error"]?.contains("999999") == true)
    }

    static let shared = Task { try await Server() }
}
