import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

@Suite("Source state: committing cycle plans")
struct SourceStoreTests {
    static let planner = S3CyclePlanner(source: "s3:b", bucket: "b")
    static let t0 = Timestamp(parsing: "2025-03-04T05:00:00Z")!
    static let body = Array(
        #"{"ID":"aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa","Operation":"OperationTypeApply","Info":"","Who":"alice@h","Version":"1.11.4","Created":"2025-03-04T05:00:00Z","Path":"b/app/terraform.tfstate"}"#
            .utf8)

    /// The plan of a listing cycle at `at` seconds after t0 that sees the lock file when `held`.
    static func plan(_ start: CycleStart, held: Bool, at: Double) -> CyclePlan {
        let started = t0.adding(seconds: at)
        let objects = held ? [S3ListedObject(key: "app/terraform.tfstate.tflock", etag: "l1", size: Int64(body.count), lastModified: started)] : []
        let reads = planner.reads(checkpoint: start.checkpoint, snapshot: start.snapshot, listing: .objects(objects))
        let fetched = Dictionary(uniqueKeysWithValues: reads.map { ($0.itemKey, S3Fetched.bytes(body, versionID: nil)) })
        return planner.plan(
            checkpoint: start.checkpoint, snapshot: start.snapshot,
            observation: S3BucketObservation(
                listing: .objects(objects), fetched: fetched, started: started,
                completed: started.adding(seconds: 1)))
    }

    static func events(_ db: TestDatabase) async throws -> [Event] {
        try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 100, on: $0) }.map(\.event)
    }

    @Test("a plan's events, snapshot and coverage commit together; a lock file keeps its stored form \"etag\\nbody\"")
    func commit() async throws {
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        let start = try await store.load("s3:b", kind: .s3)
        #expect(start.checkpoint == .new && start.snapshot.isEmpty)
        let outcome = try await store.commit(Self.plan(start, held: true, at: 0))
        #expect(outcome.appended == 1)
        let stored = try await db.pool.withConnection { connection in
            let r = try connection.first(SourceStatements.ItemsLoad(source: "s3:b"))
            return (r?.kind, r?.value)
        }
        #expect(stored.0 == "lock_file")
        #expect(stored.1 == "l1\n" + String(decoding: Self.body, as: UTF8.self))
        let next = try await store.load("s3:b", kind: .s3)
        #expect(next.snapshot == ["app/terraform.tfstate.tflock": .lockFile(LockFileSnapshot(etag: "l1", body: Self.body))])
        #expect(next.checkpoint.status == .listing)
        #expect(next.checkpoint.lastScanCompleted == Self.t0.adding(seconds: 1))
    }

    @Test("a plan made from coverage another collector has moved on is refused whole")
    func fence() async throws {
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        let start = try await store.load("s3:b", kind: .s3)
        let mine = Self.plan(start, held: true, at: 0)
        let theirs = Self.plan(start, held: true, at: 5)
        try await store.commit(theirs)
        await #expect(throws: ConcurrentCycleError.self) { try await store.commit(mine) }
        #expect(try await Self.events(db).count == 1)
        #expect(try await store.load("s3:b", kind: .s3).checkpoint.lastScanCompleted == Self.t0.adding(seconds: 6))
    }

    @Test("what the store cannot keep yet is refused, not half-applied")
    func unsupported() async throws {
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        var plan = Self.plan(try await store.load("s3:b", kind: .s3), held: true, at: 0)
        plan.cursor.shardPositions = [SourceCursor.ShardPosition(shardID: "s", sequenceNumber: "1")]
        await #expect(throws: UnsupportedPlanError.self) { try await store.commit(plan) }
        #expect(try await Self.events(db).isEmpty)
        #expect(try await store.load("s3:b", kind: .s3).checkpoint == .new)
    }

    static let alice = LeaseHolder(id: "a", host: "host-a", pid: 11)
    static let bob = LeaseHolder(id: "b", host: "host-b", pid: 22)

    @Test("a plan made under a lease the source does not have is refused whole")
    func noSuchLease() async throws {
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        var plan = Self.plan(try await store.load("s3:b", kind: .s3), held: true, at: 0)
        plan.fence.leaseToken = 7
        await #expect(throws: LeaseLostError.self) { try await store.commit(plan) }
        #expect(try await Self.events(db).isEmpty)
        #expect(try await store.load("s3:b", kind: .s3).checkpoint == .new)
    }

    @Test("leases: one holder at a time, the token grows at every change of hands, and a fenced-out owner's commit is refused")
    func leases() async throws {
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool), leases = db.store.leases
        let first = try #require(try await leases.acquire("s3:b", holder: Self.alice, duration: 30))
        #expect(first.token == 1)
        #expect(try await leases.acquire("s3:b", holder: Self.bob, duration: 30) == nil, "held by alice")
        let renewed = try #require(try await leases.renew(first, duration: 30))
        #expect(renewed.token == 1 && renewed.expiresAt >= first.expiresAt)

        // Alice plans a cycle, then stalls past her lease; Bob takes the source over and commits.
        var stale = Self.plan(try await store.load("s3:b", kind: .s3), held: true, at: 0)
        stale.fence.leaseToken = renewed.token
        try await db.superuser("UPDATE leases SET expires_at = clock_timestamp() - interval '1 second'")  // her lease lapses
        let second = try #require(try await leases.acquire("s3:b", holder: Self.bob, duration: 30))
        #expect(second.token == 2)
        var fresh = Self.plan(try await store.load("s3:b", kind: .s3), held: true, at: 5)
        fresh.fence.leaseToken = second.token
        try await store.commit(fresh)

        // Alice's commit and her failure report are refused; her renewal says she lost it.
        let error = await #expect(throws: LeaseLostError.self) { try await store.commit(stale) }
        #expect(error?.description.contains("host-b pid 22 (token 2)") == true)
        var failed = CyclePlan.failed(source: "s3:b", checkpoint: .new, message: "stalled", at: Self.t0)
        failed.fence.leaseToken = renewed.token
        await #expect(throws: LeaseLostError.self) { try await store.commit(failed) }
        #expect(try await leases.renew(renewed, duration: 30) == nil)
        #expect(try await Self.events(db).count == 1)
        #expect(try await store.load("s3:b", kind: .s3).checkpoint.failures == 0)

        // A released lease is free at once, for the next token.
        try await leases.release(second)
        #expect(try await leases.acquire("s3:b", holder: Self.alice, duration: 30)?.token == 3)

        let listed = try #require(try await store.list().first { $0.source == "s3:b" })
        #expect(listed.owner?.host == "host-a" && listed.owner?.pid == 11 && listed.owner?.token == 3)
        #expect(listed.lastSuccess == Self.t0.adding(seconds: 6))
        #expect((listed.lagSeconds ?? 0) > 0)
    }

    @Test("a failed cycle is recorded against the source; coverage stays")
    func failure() async throws {
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        try await store.commit(Self.plan(try await store.load("s3:b", kind: .s3), held: false, at: 0))
        let start = try await store.load("s3:b", kind: .s3)
        try await store.commit(.failed(source: "s3:b", checkpoint: start.checkpoint, message: "AccessDenied", at: Self.t0.adding(seconds: 40)))
        let after = try await store.load("s3:b", kind: .s3).checkpoint
        #expect(after == start.checkpoint.advanced(by: .failed(message: "AccessDenied", at: Self.t0.adding(seconds: 40))))
        #expect(after.failures == 1 && after.lastError == "AccessDenied")
    }
}
