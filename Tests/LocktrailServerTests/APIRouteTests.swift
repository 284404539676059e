import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailHTTP
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Every route against a real database filled by real collector runs.
@Suite("HTTP API routes", .serialized)
struct APIRouteTests {
    func fixture() async throws -> (QueryFixture, APIClient) {
        let f = try await QueryFixture.shared.value
        return (f, APIClient(base: f.baseURL))
    }

    static func q(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    @Test func healthReadinessAndDocument() async throws {
        let (_, api) = try await fixture()
        #expect(try await api.get("/healthz", token: nil).status == 200)
        let ready = try await api.get("/readyz", token: nil)
        #expect(ready.status == 200 && ready.json?["status"] == "ready")
        let doc = try await api.get("/openapi.json", token: nil)
        #expect(doc.status == 200)
        let paths = try #require(doc.json?["paths"]?.objectValue)
        for route in [
            "/v1/current", "/v1/who", "/v1/holds", "/v1/forced", "/v1/stale", "/v1/writes", "/v1/events", "/v1/export", "/healthz", "/readyz",
        ] {
            #expect(paths[route] != nil, "\(route) is not in the OpenAPI document")
        }
    }

    @Test(arguments: [
        ("no token", nil as String?, 401),
        ("not a bearer header", "Basic abc", 401),
        ("unknown token", "Bearer lt_0000", 401),
    ])
    func authFailures(_ name: String, header: String?, status: Int) async throws {
        let (f, _) = try await fixture()
        let transport = APIClient(base: f.baseURL).transport
        var headers: LocktrailHTTP.HTTPHeaders = [:]
        if let header { headers.add(name: "Authorization", value: header) }
        let r = try await transport.send(.init(method: "GET", url: f.baseURL + "/v1/current", headers: headers))
        #expect(r.status == status, "\(name)")
        let body = try JSONParser.parse(r.body)
        #expect(body["error"]?.stringValue?.isEmpty == false)
    }

    @Test func wrongScopeIsForbidden() async throws {
        let (f, api) = try await fixture()
        let r = try await api.get("/v1/current", token: f.ingestToken)
        #expect(r.status == 403)
        #expect(r.json?["error"]?.stringValue?.contains("read") == true)
    }

    @Test func currentHasTheStaleLockOnly() async throws {
        let (f, api) = try await fixture()
        let r = try await api.get("/v1/current", token: f.readToken)
        #expect(r.status == 200)
        let items = try #require(r.json?["items"]?.arrayValue)
        #expect(items.map { $0["lock_id"] } == [.string(f.staleLockID)])
        #expect(items.first?["age_seconds"]?.numberValue ?? 0 > 3 * 86_000)
        #expect(r.json?["next_cursor"] == .null)
    }

    @Test func whoHeldTheTerraformState() async throws {
        let (f, api) = try await fixture()
        let r = try await api.get("/v1/who?state=\(Self.q(f.tfState))&at=\(Self.q(f.seenHeldAt.rfc3339))", token: f.readToken)
        #expect(r.status == 200, "\(r.text)")
        #expect(r.json?["lock_id"] == .string(f.applyRecord.id))
        #expect(r.json?["who"] == .string(f.applyRecord.who!))
        #expect(r.json?["certainty"] == "certain")
        #expect(r.json?["acquired_precision"] == "exact")
        #expect(r.json?["released_precision"] == "bounded")
        #expect(r.json?["evidence"]?.arrayValue?.isEmpty == false)
        let before = try await api.get("/v1/who?state=\(Self.q(f.tfState))&at=2001-01-01T00:00:00Z", token: f.readToken)
        #expect(before.status == 200 && before.json == .null)
    }

    @Test func historyPagesWithACursor() async throws {
        let (f, api) = try await fixture()
        let first = try await api.get("/v1/holds?state=\(Self.q(f.tfState))&limit=1", token: f.readToken)
        #expect(first.json?["items"]?.arrayValue?.count == 1)
        let cursor = try #require(first.json?["next_cursor"]?.stringValue)
        let second = try await api.get("/v1/holds?state=\(Self.q(f.tfState))&limit=1&cursor=\(Self.q(cursor))", token: f.readToken)
        let ids = [first, second].compactMap { $0.json?["items"]?.arrayValue?.first?["lock_id"]?.stringValue }
        #expect(Set(ids) == [f.applyRecord.id, f.killedRecord.id])
        let byWho = try await api.get("/v1/holds?who=\(Self.q("carol@ci"))", token: f.readToken)
        #expect(byWho.json?["items"]?.arrayValue?.map { $0["state"] } == [.string(f.exactState)])
    }

    @Test func forcedShowsActorReasonAndEvidence() async throws {
        let (f, api) = try await fixture()
        let r = try await api.get("/v1/forced", token: f.readToken)
        let items = try #require(r.json?["items"]?.arrayValue)
        #expect(items.count == 1)
        #expect(items.first?["lock_id"] == .string(f.killedRecord.id))
        #expect(items.first?["release_kind"] == "forced")
        #expect(items.first?["forced_by"] == "bob@ops")
        #expect(items.first?["force_reason"] == "apply killed; lock left behind")
        #expect(items.first?["evidence"]?.arrayValue?.contains { $0["kind"] == "lock.force_unlocked" } == true)
        let none = try await api.get("/v1/forced?since=2100-01-01T00:00:00Z", token: f.readToken)
        #expect(none.status == 200 && none.json?["items"] == .array([]))
    }

    @Test func staleSaysTheHolderIsAlive() async throws {
        let (f, api) = try await fixture()
        let r = try await api.get("/v1/stale?older_than=2d", token: f.readToken)
        let items = try #require(r.json?["items"]?.arrayValue)
        #expect(items.map { $0["lock_id"] } == [.string(f.staleLockID)])
        #expect(items.first?["holder_alive"] == .bool(true))
        let none = try await api.get("/v1/stale?older_than=30d", token: f.readToken)
        #expect(none.json?["items"] == .array([]))
    }

    @Test func writesLockedUnlockedAndFlagged() async throws {
        let (f, api) = try await fixture()
        let tf = try await api.get("/v1/writes?state=\(Self.q(f.tfState))", token: f.readToken)
        let tfWrites = try #require(tf.json?["items"]?.arrayValue)
        #expect(!tfWrites.isEmpty)
        // The collector's baseline scan and DynamoDB-only writes never claim "unlocked".
        #expect(tfWrites.allSatisfy { $0["status"] != "unlocked" })
        let unlocked = try await api.get("/v1/writes?unlocked=true", token: f.readToken)
        let items = try #require(unlocked.json?["items"]?.arrayValue)
        #expect(items.map { $0["state"] } == [.string(f.exactState)])
        #expect(items.first?["serial_regression"] == .bool(true))
        let exact = try await api.get("/v1/writes?state=\(Self.q(f.exactState))", token: f.readToken)
        #expect(exact.json?["items"]?.arrayValue?.map { $0["status"] } == ["locked", "unlocked"])
    }

    @Test func eventsAndExport() async throws {
        let (f, api) = try await fixture()
        let events = try await api.get("/v1/events?limit=1000", token: f.readToken)
        let count = try #require(events.json?["items"]?.arrayValue?.count)
        #expect(count > 5)
        let jsonl = try await api.get("/v1/export", token: f.readToken)
        #expect(jsonl.status == 200)
        let lines = jsonl.text.split(separator: "\n")
        #expect(lines.count == count)
        #expect(lines.allSatisfy { (try? JSONParser.parse(String($0)))?["hash"] != nil })
        let csv = try await api.get("/v1/export?format=csv&since=2100-01-01T00:00:00Z", token: f.readToken)
        #expect(csv.text == EventExport.csvHeader)
    }

    @Test(arguments: [
        ("/v1/who?state=a/b", "at"),
        ("/v1/who?at=2h", "state"),
        ("/v1/who?state=x&at=2h", "state"),
        ("/v1/holds?since=not-a-time", "since"),
        ("/v1/holds?since=2025-01-02T00:00:00Z&until=2025-01-01T00:00:00Z", "until"),
        ("/v1/current?limit=0", "limit"),
        ("/v1/current?limit=abc", "limit"),
        ("/v1/current?cursor=zzz", "cursor"),
        ("/v1/stale?older_than=forever", "older_than"),
        ("/v1/writes?unlocked=maybe", "unlocked"),
        ("/v1/export?format=xml", "format"),
        ("/v1/events?cursor=-1", "cursor"),
    ])
    func badParameters(_ path: String, field: String) async throws {
        let (f, api) = try await fixture()
        let r = try await api.get(path, token: f.readToken)
        #expect(r.status == 400, "\(path): \(r.text)")
        #expect(r.json?["field"] == .string(field), "\(path): \(r.text)")
        #expect(r.json?["error"]?.stringValue?.isEmpty == false)
    }

    // PostgreSQL has no year 0 and RFC 3339 no fifth year digit: such times are a 400, never a 500.
    @Test(
        "times outside years 1–9999 are a 400 naming the parameter",
        arguments: [
            ("/v1/who?state=a/b&at=0000-06-01T00:00:00Z", "at"),
            ("/v1/holds?since=9999-12-31T23:30:00-01:00", "since"),
            ("/v1/holds?until=0001-01-01T00:30:00%2B01:00", "until"),
            ("/v1/forced?since=0000-01-01T00:00:00Z", "since"),
            ("/v1/writes?until=0000-12-31T23:59:59Z", "until"),
            ("/v1/export?since=0000-01-01T00:00:00Z", "since"),
        ])
    func timesOutsideTheYears(_ path: String, field: String) async throws {
        let (f, api) = try await fixture()
        let r = try await api.get(path, token: f.readToken)
        #expect(r.status == 400, "\(path): \(r.text)")
        #expect(r.json?["field"] == .string(field), "\(path): \(r.text)")
        #expect(r.json?["error"]?.stringValue?.contains("outside the years 0001 to 9999") == true, "\(path): \(r.text)")
    }

    @Test(
        "a cursor whose time lies outside years 1–9999 is a 400, not a crash",
        arguments: [
            "/v1/current?cursor=-9223372036854775808.00", "/v1/holds?cursor=9223372036854775807.00", "/v1/forced?cursor=-62135596800000001.",
        ])
    func cursorOutsideTheYears(_ path: String) async throws {
        let (f, api) = try await fixture()
        let r = try await api.get(path, token: f.readToken)
        #expect(r.status == 400, "\(path): \(r.text)")
        #expect(r.json?["field"] == "cursor", "\(path): \(r.text)")
    }

    @Test func unknownStateSuggestsCloseMatches() async throws {
        let (f, api) = try await fixture()
        let typo = f.exactState.replacingOccurrences(of: "net", with: "nett")
        let r = try await api.get("/v1/who?state=\(Self.q(typo))&at=now", token: f.readToken)
        #expect(r.status == 400)
        #expect(r.json?["error"]?.stringValue?.contains(f.exactState) == true, "\(r.text)")
    }

    @Test(arguments: ["b/x'; DROP TABLE events; --", "b/\" OR 1=1 --", "b/%' OR '1'='1", "b/\\x00\\'"])
    func sqlMetacharactersAreJustText(_ evil: String) async throws {
        let (f, api) = try await fixture()
        let who = try await api.get("/v1/who?state=\(Self.q(evil))&at=now", token: f.readToken)
        #expect(who.status == 400 && who.json?["field"] == "state")
        let history = try await api.get("/v1/holds?who=\(Self.q(evil))", token: f.readToken)
        #expect(history.status == 200 && history.json?["items"] == .array([]))
        let stillThere = try await f.db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 1, on: $0) }
        #expect(stillThere.count == 1)
    }

    @Test func unknownRouteIsJSON404() async throws {
        let (f, api) = try await fixture()
        let r = try await api.get("/v1/nothing", token: f.readToken)
        #expect(r.status == 404)
    }
}
