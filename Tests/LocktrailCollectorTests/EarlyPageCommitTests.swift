import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Logging
import Testing

/// A scan whose pages change many entries commits and derives each page while it reads the next
/// (a first cycle on a large table): the same events, holds and writes as one commit at the end,
/// and a scan that fails half-way keeps its committed pages without recording anything twice.
@Suite("Early page commits", .serialized)
struct EarlyPageCommitTests {
    static let now: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
    static let locks = 60
    static let digests = 240

    /// A table of `locks` lock items and `digests` digest items.
    static func fill(_ client: DynamoDBClient, table: String) async throws {
        _ = try await client.createTable(table)
        for n in 0..<locks {
            let path = "bucket/lock\(n).tfstate"
            try await client.putItem(
                table: table, item: ["LockID": .string(path), "Info": .string(CollectorFaultTests.record(CollectorFaultTests.lockID(n), path))])
        }
        for n in 0..<digests {
            try await client.putItem(
                table: table, item: ["LockID": .string("bucket/state\(n).tfstate-md5"), "Digest": .string(String(format: "%032x", n))])
        }
    }

    /// A source reading pages of 40 items.
    static func source(_ table: String, _ client: DynamoDBClient, earlyCommitItems: Int) -> DynamoDBLockTableSource {
        var source = DynamoDBLockTableSource(table: table, region: "us-east-1", client: client)
        source.scanPageLimit = 40
        source.earlyCommitItems = earlyCommitItems
        return source
    }

    /// What the log and the derived records say, in a form two runs can be compared by.
    struct Outcome: Equatable {
        var acquired: [String]
        var written: [String]
        var otherKinds: [String]
        var held: [String]
        var writes: [String]
    }

    static func outcome(_ db: TestDatabase) async throws -> Outcome {
        _ = try await db.store.derivation.catchUp()
        let events = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 10_000, on: $0) }.map(\.event)
        let holds = try await db.store.answers.history(state: nil, who: nil, since: nil, until: nil, cursor: nil, limit: 1000).items
        let writes = try await db.store.answers.writes(state: nil, unlockedOnly: false, since: nil, until: nil, cursor: nil, limit: 1000).items
        return Outcome(
            acquired: events.filter { $0.kind == .lockAcquired }.compactMap(\.lockID).sorted(),
            written: events.filter { $0.kind == .stateWritten }.compactMap { $0.details["digest"]?.stringValue }.sorted(),
            otherKinds: events.filter { $0.kind != .lockAcquired && $0.kind != .stateWritten }.map(\.kind.rawValue),
            held: holds.filter { $0["release_kind"] == .null }.compactMap { $0["lock_id"]?.stringValue }.sorted(),
            writes: writes.compactMap { w in w["status"]?.stringValue.map { "\(w["state"]?.stringValue ?? "?") \($0)" } }.sorted())
    }

    @Test("pages committed as they are read give the same events, holds and writes as one commit; derivation agrees with a rebuild")
    func sameOutcome() async throws {
        let table = TestAWS.uniqueName("early")
        let client = try TestAWS.dynamoDB()
        try await Self.fill(client, table: table)
        var outcomes: [Outcome] = []
        for early in [true, false] {
            let db = try await TestDatabase.make()
            let source = Self.source(table, client, earlyCommitItems: early ? 20 : .max)
            let report = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
            #expect(report.appended == Self.locks + Self.digests)
            #expect(report.items == Self.locks + Self.digests)
            let outcome = try await Self.outcome(db)
            // Derived page by page while the scan read on, the records are those the log alone gives.
            let before = try await db.store.answers.history(state: nil, who: nil, since: nil, until: nil, cursor: nil, limit: 1000).items
            _ = try await db.store.derivation.rebuild()
            let after = try await db.store.answers.history(state: nil, who: nil, since: nil, until: nil, cursor: nil, limit: 1000).items
            #expect(before == after)
            #expect(try await Self.outcome(db) == outcome)
            // The coverage is the whole scan's, once.
            let state = try #require(try await db.pool.withConnection { try SourceStore.state(of: source.name, on: $0) })
            #expect(state.lastScanCompleted != nil && state.failures == 0)
            // A second cycle on the unchanged table records nothing.
            let second = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
            #expect(second.appended == 0)
            outcomes.append(outcome)
        }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0].acquired.count == Self.locks && outcomes[0].held.count == Self.locks)
        #expect(outcomes[0].written.count == Self.digests && outcomes[0].otherKinds.isEmpty)
    }

    @Test("a scan that fails after some pages keeps them, advances no coverage, and the next cycle records the rest once")
    func failureHalfWay() async throws {
        let table = TestAWS.uniqueName("early")
        let direct = try TestAWS.dynamoDB()
        try await Self.fill(direct, table: table)
        let proxy = try await CollectorFaultTests.Proxy()
        defer { proxy.stop() }
        var env = TestAWS.environment
        env["AWS_ENDPOINT_URL"] = proxy.url
        let (_, credentials, transport) = try TestAWS.clients()
        let client = try DynamoDBClient(configuration: try AWSConfiguration.resolve(environment: env), credentials: credentials, transport: transport)
        let db = try await TestDatabase.make()
        let source = Self.source(table, client, earlyCommitItems: 20)

        // Three pages go through, the fourth request is refused: the cycle fails and says why.
        try proxy.set("deny-after 3")
        await #expect(throws: AWSError.self) {
            try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
        }
        let failed = try #require(try await db.pool.withConnection { try SourceStore.state(of: source.name, on: $0) })
        #expect(failed.failures == 1 && failed.lastScanCompleted == nil)
        #expect(failed.lastError?.contains("AccessDenied") == true)
        let kept = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 10_000, on: $0) }.count
        #expect(kept == 3 * 40, "the three pages read before the failure are kept")

        // Healed: the rest is recorded, nothing twice; holds and writes as the log says.
        try proxy.set("")
        let healed = try await source.runCycle(store: SourceStore(pool: db.pool), now: Self.now, logger: Logger(label: "test"))
        #expect(healed.appended == Self.locks + Self.digests - kept)
        let outcome = try await Self.outcome(db)
        #expect(outcome.acquired.count == Self.locks && Set(outcome.acquired).count == Self.locks)
        #expect(outcome.written.count == Self.digests && Set(outcome.written).count == Self.digests)
        #expect(outcome.held.count == Self.locks)
        #expect(try await db.pool.withConnection { try EventLog.verify(on: $0) }.isIntact)
        let state = try #require(try await db.pool.withConnection { try SourceStore.state(of: source.name, on: $0) })
        #expect(state.lastScanCompleted != nil)
    }
}
