import LocktrailCore
import Testing

/// The stream's records applied to the snapshot, reconciliation, and when a stream can be resumed:
/// table-driven, without AWS.
@Suite("DynamoDB stream planner")
struct DynamoDBStreamPlannerTests {
    static let source = "dynamodb:us-east-1/locks"
    static let planner = DynamoDBStreamPlanner(source: source, table: "locks")
    static let scanPlanner = DynamoDBCyclePlanner(source: source, table: "locks", gapThreshold: 60)
    static let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/locks/stream/2025-03-04T00:00:00.000"
    static let t0 = Timestamp(parsing: "2025-03-04T05:00:00Z")!
    static let path = "b/app.tfstate"

    static func info(_ id: String, created: Timestamp) -> String {
        #"{"ID":"\#(id)","Operation":"OperationTypePlan","Info":"","Who":"alice@h","Version":"1.11.4","Created":"\#(created.rfc3339)","Path":"\#(path)"}"#
    }
    static func lock(_ id: String, at seconds: Double) -> LockTableItem {
        LockTableItem(lockID: path, info: info(id, created: t0.adding(seconds: seconds)), digest: nil)
    }
    static func digest(_ value: String) -> LockTableItem { LockTableItem(lockID: path + "-md5", info: nil, digest: value) }

    /// A record `seconds` after t0 (AWS stamps whole seconds; the lock's Created is 0.25 s into the second).
    static func record(
        _ name: String, _ sequence: Int, at seconds: Double, new: LockTableItem? = nil, old: LockTableItem? = nil,
        shard: String = "s1"
    ) -> LockTableStreamRecord {
        LockTableStreamRecord(
            streamARN: arn, shardID: shard, sequenceNumber: String(sequence), eventName: name,
            approximateCreationSeconds: t0.adding(seconds: seconds).secondsSinceEpoch.rounded(.down),
            keys: LockTableItem(lockID: (new ?? old)?.lockID, info: nil, digest: nil), newImage: new, oldImage: old)
    }

    static func reading(_ records: [LockTableStreamRecord], previous: String? = nil, at seconds: Double = 100) -> StreamReading {
        StreamReading(
            streamARN: arn,
            shards: [
                StreamReading.Shard(
                    id: "s1", records: records, previous: previous,
                    last: records.last?.sequenceNumber ?? previous)
            ],
            completed: t0.adding(seconds: seconds))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var snapshot: [String: SnapshotEntry]
        var records: [LockTableStreamRecord]
        var kinds: [EventKind]
        var after: [String: SnapshotEntry]
        var skipped = 0
        var known = 0
        var testDescription: String { name }
    }

    static let a = lock("aaaaaaaa-0000-0000-0000-000000000001", at: 10.25)
    static let b = lock("bbbbbbbb-0000-0000-0000-000000000002", at: 20.25)

    static let cases: [Case] = [
        Case(
            name: "an acquire and its release: both, and the snapshot ends empty",
            snapshot: [:], records: [record("INSERT", 1, at: 10.25, new: a), record("REMOVE", 2, at: 12, old: a)],
            kinds: [.lockAcquired, .lockReleased], after: [:]),
        Case(
            name: "an acquire a scan already recorded records nothing (no double count)",
            snapshot: [path: .lock(info: a.info!)], records: [record("INSERT", 1, at: 10.25, new: a)], kinds: [], after: [path: .lock(info: a.info!)],
            known: 1),
        Case(
            name: "a release a scan already recorded records nothing",
            snapshot: [:], records: [record("REMOVE", 2, at: 12, old: a)], kinds: [], after: [:], known: 1),
        Case(
            name: "a digest the scan already has is no second write; a new one is",
            snapshot: [path + "-md5": .digest("d1")],
            records: [
                record("MODIFY", 1, at: 11, new: digest("d1"), old: digest("d0")), record("MODIFY", 2, at: 12, new: digest("d2"), old: digest("d1")),
            ],
            kinds: [.stateWritten], after: [path + "-md5": .digest("d2")], known: 1),
        Case(
            name: "an INSERT over a lock the stream never saw released: the old one is released first",
            snapshot: [path: .lock(info: a.info!)], records: [record("INSERT", 3, at: 20.25, new: b)],
            kinds: [.lockReleased, .lockAcquired], after: [path: .lock(info: b.info!)]),
        Case(
            name: "records from before the stream was attached belong to the scans",
            snapshot: [:], records: [record("INSERT", 1, at: -5, new: a), record("REMOVE", 2, at: -3, old: a)],
            kinds: [], after: [:], skipped: 2),
    ]

    @Test("records applied to the snapshot", arguments: cases)
    func apply(_ c: Case) {
        let application = Self.planner.apply(Self.reading(c.records), attachedAt: Self.t0, to: c.snapshot)
        #expect(application.events.map(\.kind) == c.kinds)
        #expect(application.snapshot == c.after)
        #expect(application.skipped == c.skipped)
        #expect(application.known == c.known)
        #expect(application.events.allSatisfy { $0.key.hasPrefix("ddbs|\(Self.arn)|") })
    }

    @Test("a stream acquire is exact at Created, its release within the record's second")
    func times() throws {
        let application = Self.planner.apply(
            Self.reading([Self.record("INSERT", 1, at: 10.25, new: Self.a), Self.record("REMOVE", 2, at: 12.5, old: Self.a)]),
            attachedAt: Self.t0, to: [:])
        #expect(application.events[0].time == .exact(Self.t0.adding(seconds: 10.25)))
        #expect(
            application.events[1].time
                == .between(
                    after: Self.t0.adding(seconds: 12).adding(microseconds: -1),
                    notAfter: Self.t0.adding(seconds: 12).adding(microseconds: 999_999)))
    }

    @Test("Created in the second before the record's counts when it comes after the shard's previous record (the stream's window)")
    func createdWindow() throws {
        // Created 0.25 s into second 10, the record stamped second 11.
        let insert = Self.record("INSERT", 2, at: 11, new: Self.a)
        let after = StreamReading(
            streamARN: Self.arn,
            shards: [
                .init(id: "s1", records: [insert], previous: "1", last: "2", previousRecordSeconds: Self.t0.adding(seconds: 5.5).secondsSinceEpoch)
            ],
            completed: Self.t0.adding(seconds: 20))
        let exact = Self.planner.apply(after, attachedAt: Self.t0, to: [:]).events[0]
        #expect(exact.time == .exact(Self.t0.adding(seconds: 10.25)))
        #expect(exact.details["time_basis"] == "created" && exact.details["written_after"] == .string(Self.t0.adding(seconds: 5).rfc3339))
        // The previous record came later than Created (a lock-timeout retry): the record's second.
        var late = after
        late.shards[0].previousRecordSeconds = Self.t0.adding(seconds: 11).secondsSinceEpoch
        let bounded = Self.planner.apply(late, attachedAt: Self.t0, to: [:]).events[0]
        #expect(bounded.time.exact == nil && bounded.details["time_basis"] == "stream")
        // Nothing known before the record: the record's second only.
        var unknown = after
        unknown.shards[0].previousRecordSeconds = nil
        #expect(Self.planner.apply(unknown, attachedAt: Self.t0, to: [:]).events[0].time.exact == nil)
        // Within one read, the record before is the bound.
        let two = Self.reading([Self.record("REMOVE", 1, at: 8, old: Self.b), insert])
        #expect(
            Self.planner.apply(two, attachedAt: Self.t0, to: [Self.path: .lock(info: Self.b.info!)]).events[1].time
                == .exact(Self.t0.adding(seconds: 10.25)))
    }

    @Test("a stream read moves positions, not the scan's coverage, and is fenced on the position it read from")
    func streamPlan() {
        let stored = StreamCheckpoint(streamARN: Self.arn, attachedAt: Self.t0, readThrough: Self.t0, positions: ["s1": "1"])
        let checkpoint = SourceCheckpoint(status: .ok, lastScanStarted: Self.t0, lastScanCompleted: Self.t0.adding(seconds: 1))
        let plan = Self.planner.streamPlan(
            fence: OwnershipFence(planningFrom: checkpoint, leaseToken: 7), stored: stored, snapshot: [:],
            reading: Self.reading([Self.record("INSERT", 2, at: 10.25, new: Self.a)], previous: "1"))
        #expect(plan.status == .pushed(records: 1, at: Self.t0.adding(seconds: 100)))
        #expect(plan.fence == OwnershipFence(coverage: Self.t0.adding(seconds: 1), leaseToken: 7))
        #expect(plan.cursor.shardPositions == [SourceCursor.ShardPosition(streamARN: Self.arn, shardID: "s1", sequenceNumber: "2", previous: "1")])
        #expect(plan.cursor.stream == nil)
        #expect(checkpoint.advanced(by: plan.status) == checkpoint)
        #expect(plan.events.map(\.kind) == [.lockAcquired])
    }

    static func scan(_ items: [LockTableItem], at seconds: Double) -> DynamoDBScanObservation {
        DynamoDBScanObservation(.items(items), started: t0.adding(seconds: seconds), completed: t0.adding(seconds: seconds + 1))
    }

    @Test("reconciliation: what the stream missed is recorded once, marked and counted; what it has is not recorded again")
    func reconcile() throws {
        let checkpoint = SourceCheckpoint(status: .ok, lastScanStarted: Self.t0, lastScanCompleted: Self.t0.adding(seconds: 1))
        let stored = StreamCheckpoint(streamARN: Self.arn, attachedAt: Self.t0, readThrough: Self.t0.adding(seconds: 500), positions: ["s1": "5"])
        // The snapshot (kept by the stream) has lock a; the table has b instead, and a digest the
        // stream never delivered. A record read after the scan touches the digest: it owns it.
        let snapshot: [String: SnapshotEntry] = [Self.path: .lock(info: Self.a.info!)]
        let plan = Self.planner.reconcilePlan(
            checkpoint: checkpoint, fence: OwnershipFence(planningFrom: checkpoint), snapshot: snapshot,
            observation: Self.scan([Self.b, Self.digest("d1")], at: 600),
            reading: Self.reading([Self.record("INSERT", 6, at: 601, new: Self.digest("d1"))], previous: "5", at: 602),
            basis: .resumed(stored), scanPlanner: Self.scanPlanner)
        let events = plan.events
        #expect(events.map(\.kind) == [.stateWritten, .lockReleased, .lockAcquired])
        #expect(events[0].key.hasPrefix("ddbs|"))
        #expect(events[1...].allSatisfy { $0.details["reconciled"] != nil && $0.key.hasPrefix("ddb|") })
        #expect(plan.cursor.stream?.repaired == 1)
        #expect(plan.cursor.stream?.restarts == false)
        #expect(plan.recordsGap == false)  // the stream covered the 10 minutes between scans
        #expect(
            plan.status
                == .observed(
                    .ok,
                    window: ScanWindow(
                        previousStarted: Self.t0, started: Self.t0.adding(seconds: 600),
                        completed: Self.t0.adding(seconds: 601)), items: 2))
    }

    @Test("an unresumable stream: a gap from its last read to the scan, the scan resynchronises, reading starts again")
    func resynchronise() throws {
        let checkpoint = SourceCheckpoint(status: .ok, lastScanStarted: Self.t0, lastScanCompleted: Self.t0.adding(seconds: 1))
        let newARN = Self.arn + "-enabled-again"
        let plan = Self.planner.reconcilePlan(
            checkpoint: checkpoint, fence: OwnershipFence(planningFrom: checkpoint), snapshot: [Self.path: .lock(info: Self.a.info!)],
            observation: Self.scan([Self.b], at: 600), reading: nil,
            basis: .resynchronised(
                reason: "replaced", since: Self.t0.adding(seconds: 300), streamARN: newARN, attachedAt: Self.t0.adding(seconds: 600)),
            scanPlanner: Self.scanPlanner)
        let events = plan.events
        #expect(events.map(\.kind) == [.coverageGap, .lockReleased, .lockAcquired])
        #expect(events[0].time == .between(after: Self.t0.adding(seconds: 300), notAfter: Self.t0.adding(seconds: 600)))
        #expect(events[0].details["reason"]?.stringValue?.hasPrefix("stream not resumable: ") == true)
        #expect(events[1...].allSatisfy { $0.details["reconciled"] == nil })
        #expect(
            plan.cursor.stream
                == SourceCursor.StreamAttachment(
                    streamARN: newARN, attachedAt: Self.t0.adding(seconds: 600),
                    readThrough: Self.t0.adding(seconds: 601), restarts: true))
        #expect(plan.recordsGap)
    }

    struct Resumption: Sendable, CustomTestStringConvertible {
        var name: String
        var stored: StreamCheckpoint?
        var now: Double
        var resumable: StreamResumption
        var testDescription: String { name }
    }

    static let resumptions: [Resumption] = [
        Resumption(name: "never read: attach", stored: nil, now: 10, resumable: .attach),
        Resumption(
            name: "read a minute ago: resume", stored: StreamCheckpoint(streamARN: arn, attachedAt: t0, readThrough: t0), now: 60, resumable: .resume),
        Resumption(
            name: "read 25 hours ago: past the retention", stored: StreamCheckpoint(streamARN: arn, attachedAt: t0, readThrough: t0), now: 25 * 3600,
            resumable: .unresumable(
                reason: "the stream checkpoint (2025-03-04T05:00:00.000000Z) is older than the stream's 24-hour retention", since: t0)),
    ]

    @Test("when a stream can be resumed", arguments: resumptions)
    func resumption(_ c: Resumption) {
        #expect(StreamResumption.decide(stored: c.stored, streamARN: Self.arn, now: Self.t0.adding(seconds: c.now)) == c.resumable)
    }

    @Test("a new stream ARN (disabled and enabled) is not resumable, even where sequence numbers look the same")
    func newARN() {
        let stored = StreamCheckpoint(streamARN: Self.arn, attachedAt: Self.t0, readThrough: Self.t0.adding(seconds: 5), positions: ["s1": "9"])
        guard case .unresumable(_, let since) = StreamResumption.decide(stored: stored, streamARN: Self.arn + "x", now: Self.t0.adding(seconds: 60))
        else {
            Issue.record("resumed another stream"); return
        }
        #expect(since == Self.t0.adding(seconds: 5))
    }

    @Test(
        "shards trimmed before they were read to their end are lost; finished ones are forgotten",
        arguments: [
            (["gone": "5"], Set<String>(), "shard gone was trimmed (24-hour retention) before it was read to its end"),
            (["gone": "5"], Set(["gone"]), nil),
            (["s1": "5"], Set<String>(), nil),
        ] as [([String: String], Set<String>, String?)])
    func lost(_ positions: [String: String], _ finished: Set<String>, _ expected: String?) {
        let stored = StreamCheckpoint(streamARN: Self.arn, attachedAt: Self.t0, readThrough: Self.t0, positions: positions, finished: finished)
        let lineage = StreamShardLineage(shards: [StreamShard(id: "s1", parentID: "gone", startingSequenceNumber: "10")])
        #expect(StreamResumption.lostShards(stored: stored, lineage: lineage) == expected)
    }

    @Test("a checkpoint advanced by a cursor: positions of this stream move, another stream starts again")
    func checkpointAdvance() {
        let stored = StreamCheckpoint(streamARN: Self.arn, attachedAt: Self.t0, readThrough: Self.t0, repairs: 3, positions: ["s1": "5"])
        let moved = stored.advanced(
            by: SourceCursor(shardPositions: [.init(streamARN: Self.arn, shardID: "s1", sequenceNumber: "9", previous: "5", finished: true)]))
        #expect(moved.positions == ["s1": "9"] && moved.finished == ["s1"] && moved.repairs == 3)
        let other = stored.advanced(by: SourceCursor(stream: .init(streamARN: "x", attachedAt: Self.t0, readThrough: Self.t0, restarts: true)))
        #expect(other.positions.isEmpty && other.streamARN == "x" && other.repairs == 0)
    }
}
