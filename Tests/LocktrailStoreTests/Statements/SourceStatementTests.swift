import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// The source and backfill statements, which `SourceStore` and `BackfillStore` are to run once
/// the collector moves behind the store: every record decodes from its file's columns.
@Suite("Source and backfill statements")
struct SourceStatementTests {
    static let t0 = Timestamp(parsing: "2026-11-23T00:00:00Z")!

    @Test("a source's status and snapshot round-trip through the typed statements")
    func sources() async throws {
        let db = try await TestDatabase.make()
        let (read, locked, listed, items) = try await db.pool.withConnection { c in
            try c.transaction {
                try c.run(SourceStatements.Ensure(source: "dynamodb:us-east-1/locks", kind: "dynamodb"))
                try c.run(
                    SourceStatements.ItemsUpsert(
                        source: "dynamodb:us-east-1/locks", keys: ["a", "b", "c"], kinds: ["lock", "digest", "lock"], values: ["1", "2", "3"]))
                try c.run(SourceStatements.ItemsDelete(source: "dynamodb:us-east-1/locks", keys: ["c"]))
                try c.run(
                    SourceStatements.RecordSuccess(
                        source: "dynamodb:us-east-1/locks", status: "ok", started: Self.t0, completed: Self.t0.adding(seconds: 2), items: 2))
                try c.run(SourceStatements.RecordFailure(source: "dynamodb:us-east-1/locks", error: "throttled", at: Self.t0.adding(seconds: 30)))
                var items: [SourceStatements.ItemsLoad.Record] = []
                try c.forEachBatch(SourceStatements.ItemsLoad(source: "dynamodb:us-east-1/locks")) { items += try $0.decode() }
                return (
                    try c.first(SourceStatements.Read(source: "dynamodb:us-east-1/locks")),
                    try c.first(SourceStatements.Lock(source: "dynamodb:us-east-1/locks")),
                    try c.records(SourceStatements.List()), items.sorted { $0.key < $1.key }
                )
            }
        }
        let status = try #require(read)
        #expect(status.status == "ok")
        #expect(status.lastScanStarted == Self.t0)
        #expect(status.lastScanCompleted == Self.t0.adding(seconds: 2))
        #expect(status.failures == 1)
        #expect(status.lastError == "throttled")
        #expect(status.lastFailureAt == Self.t0.adding(seconds: 30))
        #expect(status.items == 2)
        #expect(locked?.lastScanCompleted == Self.t0.adding(seconds: 2))
        #expect(listed.map(\.source) == ["dynamodb:us-east-1/locks"])
        #expect(listed.first?.kind == "dynamodb")
        #expect(items.map(\.key) == ["a", "b"])
        #expect(items.map(\.kind) == ["lock", "digest"])
        #expect(items.map(\.value) == ["1", "2"])

        let cleared = try await db.pool.withConnection { c in
            try c.run(SourceStatements.ItemsClear(source: "dynamodb:us-east-1/locks"))
        }
        #expect(cleared == 2)
    }

    @Test("a backfill's checkpoint round-trips through the typed statements")
    func backfill() async throws {
        let db = try await TestDatabase.make()
        let (started, advanced, completed) = try await db.pool.withConnection { c in
            try c.run(BackfillStatements.Start(source: "s3:bucket/p", bucket: "bucket", prefix: "p"))
            let started = try c.first(BackfillStatements.Read(source: "s3:bucket/p"))
            try c.run(BackfillStatements.Advance(source: "s3:bucket/p", keyMarker: "p/x.tflock", entries: 10, events: 4))
            let advanced = try c.first(BackfillStatements.Read(source: "s3:bucket/p"))
            try c.run(BackfillStatements.Complete(source: "s3:bucket/p"))
            return (started, advanced, try c.first(BackfillStatements.Read(source: "s3:bucket/p")))
        }
        #expect(started?.keyMarker == nil)
        #expect(started?.entries == 0)
        #expect(started?.completedAt == nil)
        #expect(advanced?.keyMarker == "p/x.tflock")
        #expect(advanced?.entries == 10)
        #expect(advanced?.events == 4)
        #expect(completed?.completedAt != nil)
    }
}
