import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// Stream positions in the commit transaction: keyed by stream ARN and shard, fenced on the
/// position a plan read from, forgotten when another stream is attached.
@Suite("Source state: stream positions")
struct StreamPositionStoreTests {
    static let source = "dynamodb:us-east-1/locks"
    static let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/locks/stream/2025-03-04T00:00:00.000"
    static let t0 = Timestamp(parsing: "2025-03-04T05:00:00Z")!
    static let planner = DynamoDBStreamPlanner(source: source, table: "locks")
    static let info =
        #"{"ID":"aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa","Operation":"OperationTypePlan","Info":"","Who":"alice@h","Version":"1.11.4","Created":"2025-03-04T05:00:10Z","Path":"b/app.tfstate"}"#

    static func reading(_ name: String, sequence: String, previous: String?, arn: String = arn) -> StreamReading {
        let item = LockTableItem(lockID: "b/app.tfstate", info: info, digest: nil)
        let record = LockTableStreamRecord(
            streamARN: arn, shardID: "shardId-1", sequenceNumber: sequence, eventName: name,
            approximateCreationSeconds: t0.adding(seconds: 10).secondsSinceEpoch,
            keys: LockTableItem(lockID: "b/app.tfstate", info: nil, digest: nil),
            newImage: name == "INSERT" ? item : nil, oldImage: name == "REMOVE" ? item : nil)
        return StreamReading(
            streamARN: arn, shards: [.init(id: "shardId-1", records: [record], previous: previous, last: sequence)],
            completed: t0.adding(seconds: 11))
    }

    @Test("positions commit with the events; a second reader of the shard is refused; another stream starts afresh")
    func positions() async throws {
        let db = try await TestDatabase.make()
        let store = SourceStore(pool: db.pool)
        var start = try await store.load(Self.source, kind: .dynamodb)
        #expect(start.stream == nil)
        // Attach: the stream and its (passed-over) position, with no event.
        var attach = CyclePlan(
            source: Self.source, fence: OwnershipFence(planningFrom: start.checkpoint),
            status: .pushed(records: 0, at: Self.t0),
            cursor: SourceCursor(
                shardPositions: [.init(streamARN: Self.arn, shardID: "shardId-1", sequenceNumber: "100")],
                stream: .init(streamARN: Self.arn, attachedAt: Self.t0, readThrough: Self.t0, restarts: true)))
        attach.batches = CycleBatches()
        try await store.commit(attach)
        start = try await store.load(Self.source, kind: .dynamodb)
        let stored = try #require(start.stream)
        #expect(stored.positions == ["shardId-1": "100"] && stored.attachedAt == Self.t0)

        let mine = Self.planner.streamPlan(
            fence: OwnershipFence(planningFrom: start.checkpoint), stored: stored, snapshot: start.snapshot,
            reading: Self.reading("INSERT", sequence: "200", previous: "100"))
        let theirs = Self.planner.streamPlan(
            fence: OwnershipFence(planningFrom: start.checkpoint), stored: stored, snapshot: start.snapshot,
            reading: Self.reading("INSERT", sequence: "200", previous: "100"))
        #expect(try await store.commit(mine).appended == 1)
        await #expect(throws: ConcurrentCycleError.self) { try await store.commit(theirs) }
        let after = try await store.load(Self.source, kind: .dynamodb)
        #expect(after.stream?.positions == ["shardId-1": "200"])
        #expect(after.snapshot == ["b/app.tfstate": .lock(info: Self.info)])
        #expect(after.checkpoint == start.checkpoint)  // a stream read moves no scan coverage

        // Another stream, sequence numbers from the start again: its own positions.
        let other = Self.arn + "-2"
        var replace = attach
        replace.cursor = SourceCursor(
            shardPositions: [.init(streamARN: other, shardID: "shardId-1", sequenceNumber: "5")],
            stream: .init(streamARN: other, attachedAt: Self.t0.adding(seconds: 60), readThrough: Self.t0.adding(seconds: 60), restarts: true))
        try await store.commit(replace)
        let replaced = try #require(try await store.load(Self.source, kind: .dynamodb).stream)
        #expect(replaced.streamARN == other && replaced.positions == ["shardId-1": "5"])
        let events = try await db.pool.withConnection { try EventLog.list(after: 0, kind: nil, state: nil, limit: 100, on: $0) }.map(\.event)
        #expect(events.map(\.kind) == [.lockAcquired])
    }
}
