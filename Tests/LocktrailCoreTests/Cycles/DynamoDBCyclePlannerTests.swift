import LocktrailCore
import Testing

@Suite("DynamoDB cycle plans")
struct DynamoDBCyclePlannerTests {
    static let planner = DynamoDBCyclePlanner(source: "dynamodb:us-east-1/locks", table: "locks", gapThreshold: 300)
    static let t0 = Timestamp(parsing: "2025-03-04T05:00:00Z")!
    static let idA = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
    static let idB = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"

    static func lock(_ id: String, path: String = "b/app.tfstate") -> LockTableItem {
        let info =
            #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"alice@h","Version":"1.11.4","Created":"2025-03-04T04:00:00Z","Path":"\#(path)"}"#
        return LockTableItem(lockID: path, info: info, digest: nil)
    }
    static func digest(_ value: String, path: String = "b/app.tfstate") -> LockTableItem {
        LockTableItem(lockID: path + "-md5", info: nil, digest: value)
    }

    /// One cycle: what the scan saw (nil: the table is missing; a message: the scan failed) at
    /// `at` seconds after t0, taking one second.
    struct Step: Sendable {
        var items: [LockTableItem]?
        var failure: String?
        var at: Double
    }
    static func scan(_ items: [LockTableItem], at: Double) -> Step { Step(items: items, at: at) }
    static func missing(at: Double) -> Step { Step(items: nil, at: at) }
    static func fail(_ message: String, at: Double) -> Step { Step(items: nil, failure: message, at: at) }

    /// Plans and commits `steps` in order; returns the last plan and the model after it.
    static func run(_ steps: [Step], planner: DynamoDBCyclePlanner = planner) -> (CyclePlan, CycleModel) {
        var model = CycleModel()
        var last: CyclePlan?
        for step in steps {
            let started = t0.adding(seconds: step.at)
            let completed = started.adding(seconds: 1)
            let plan: CyclePlan
            if let failure = step.failure {
                plan = .failed(source: planner.source, checkpoint: model.checkpoint, message: failure, at: completed)
            } else {
                let observation = DynamoDBScanObservation(step.items.map { .items($0) } ?? .tableMissing, started: started, completed: completed)
                plan = planner.plan(checkpoint: model.checkpoint, snapshot: model.snapshot, observation: observation)
            }
            model.commit(plan)
            last = plan
        }
        return (last!, model)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        /// The last cycle's event kinds, its status afterwards, whether it forgets the snapshot, whether it records a gap.
        var kinds: [String]
        var status: SourceStatus = .ok
        var resets = false
        var gap = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "first cycle: every item is new, nothing is a gap", steps: [scan([lock(idA), digest("d1")], at: 0)],
            kinds: ["lock.acquired", "state.written"]),
        Case(
            name: "nothing changed: no events", steps: [scan([lock(idA), digest("d1")], at: 0), scan([lock(idA), digest("d1")], at: 30)],
            kinds: []),
        Case(name: "acquire", steps: [scan([digest("d1")], at: 0), scan([lock(idA), digest("d1")], at: 30)], kinds: ["lock.acquired"]),
        Case(name: "release", steps: [scan([lock(idA)], at: 0), scan([], at: 30)], kinds: ["lock.released"]),
        Case(
            name: "same LockID, new ID: release then acquire", steps: [scan([lock(idA)], at: 0), scan([lock(idB)], at: 30)],
            kinds: ["lock.released", "lock.acquired"]),
        Case(name: "digest new", steps: [scan([], at: 0), scan([digest("d1")], at: 30)], kinds: ["state.written"]),
        Case(name: "digest changed", steps: [scan([digest("d1")], at: 0), scan([digest("d2")], at: 30)], kinds: ["state.written"]),
        Case(name: "digest removed", steps: [scan([digest("d1")], at: 0), scan([], at: 30)], kinds: ["state.digest_removed"]),
        Case(
            name: "table missing: one event, not a release per lock",
            steps: [scan([lock(idA, path: "b/one.tfstate"), lock(idB, path: "b/two.tfstate"), digest("d1")], at: 0), missing(at: 30)],
            kinds: ["source.table_missing"], status: .tableMissing, resets: true),
        Case(
            name: "still missing: nothing more", steps: [scan([lock(idA)], at: 0), missing(at: 30), missing(at: 60)],
            kinds: [], status: .tableMissing),
        Case(
            name: "table restored: restored, then its items are new",
            steps: [scan([lock(idA)], at: 0), missing(at: 30), scan([lock(idA)], at: 60)],
            kinds: ["source.table_restored", "lock.acquired"], resets: true),
        Case(
            name: "a pause longer than the threshold: a gap before the changes",
            steps: [scan([], at: 0), scan([lock(idA)], at: 1000)], kinds: ["source.coverage_gap", "lock.acquired"], gap: true),
        Case(name: "a pause within the threshold: no gap", steps: [scan([], at: 0), scan([lock(idA)], at: 290)], kinds: ["lock.acquired"]),
        Case(
            name: "failed scans within the threshold: no gap, the changes once",
            steps: [scan([], at: 0), fail("boom", at: 30), scan([lock(idA)], at: 60)], kinds: ["lock.acquired"]),
        Case(
            name: "failed scans past the threshold: a gap",
            steps: [scan([], at: 0), fail("boom", at: 100), fail("boom", at: 200), scan([lock(idA)], at: 400)],
            kinds: ["source.coverage_gap", "lock.acquired"], gap: true),
    ]

    @Test("cycle rules", arguments: cases)
    func rules(_ c: Case) throws {
        let (plan, model) = Self.run(c.steps)
        #expect(plan.kinds == c.kinds)
        guard case .observed(let status, let window, _) = plan.status else { Issue.record("not observed"); return }
        #expect(status == c.status)
        #expect(plan.cursor.resetsSnapshot == c.resets)
        #expect(plan.recordsGap == c.gap)
        #expect(plan.cursor.shardPositions.isEmpty && plan.cursor.receipts.isEmpty)
        #expect(model.checkpoint.lastScanCompleted == window.completed)
    }

    @Test("a missing table names the locks it held and how many items it had")
    func tableMissingDetails() throws {
        let (plan, model) = Self.run([
            Self.scan([Self.lock(Self.idB, path: "b/two.tfstate"), Self.lock(Self.idA, path: "b/one.tfstate"), Self.digest("d1")], at: 0),
            Self.missing(at: 30),
        ])
        let event = try #require(plan.events.first)
        #expect(event.details["held_lock_ids"] == JSONValue.array([.string(Self.idA), .string(Self.idB)]))
        #expect(event.details["items_before"] == 3)
        #expect(event.time == EventTime.between(after: Self.t0, notAfter: Self.t0.adding(seconds: 31)))
        #expect(model.snapshot.isEmpty)
    }

    @Test("a release is known only within (previous scan, this scan]")
    func releaseBounds() throws {
        let (plan, _) = Self.run([Self.scan([Self.lock(Self.idA)], at: 0), Self.scan([], at: 30)])
        #expect(plan.events.first?.time == EventTime.between(after: Self.t0, notAfter: Self.t0.adding(seconds: 31)))
    }

    @Test(
        "a gap names its period and why",
        arguments: [
            ([Self.scan([], at: 0), Self.scan([], at: 1000)], "collector not running"),
            (
                [Self.scan([], at: 0), Self.fail("ThrottlingException: slow down", at: 500), Self.scan([], at: 1000)],
                "failed scans: ThrottlingException: slow down"
            ),
        ] as [([Step], String)])
    func gapDetails(_ steps: [Step], _ reason: String) throws {
        let (plan, _) = Self.run(steps)
        let gap = try #require(plan.events.first { $0.kind == .coverageGap })
        #expect(gap.details["from"] == .string(Self.t0.adding(seconds: 1).rfc3339))
        #expect(gap.details["to"] == .string(Self.t0.adding(seconds: 1000).rfc3339))
        #expect(gap.details["reason"] == .string(reason))
        #expect(gap.details["table"] == "locks")
        #expect(gap.source == Self.planner.source)
    }

    @Test("a failed scan: the failure is the status, nothing is appended, coverage does not advance")
    func failure() throws {
        let (first, _) = Self.run([Self.scan([Self.lock(Self.idA)], at: 0)])
        let (plan, model) = Self.run([Self.scan([Self.lock(Self.idA)], at: 0), Self.fail("AccessDenied", at: 30)])
        #expect(plan.events.isEmpty)
        #expect(plan.status == .failed(message: "AccessDenied", at: Self.t0.adding(seconds: 31)))
        guard case .observed(_, let window, _) = first.status else { Issue.record("not observed"); return }
        #expect(model.checkpoint.lastScanCompleted == window.completed)
        #expect(model.checkpoint.lastScanStarted == window.started)
        #expect(model.checkpoint.failures == 1)
        #expect(model.checkpoint.lastError == "AccessDenied")
        #expect(model.snapshot.count == 1)
        // The next success clears the failures.
        let (_, healed) = Self.run([
            Self.scan([Self.lock(Self.idA)], at: 0), Self.fail("AccessDenied", at: 30), Self.scan([Self.lock(Self.idA)], at: 60),
        ])
        #expect(healed.checkpoint.failures == 0 && healed.checkpoint.lastError == nil)
    }

    @Test("the fence is the coverage the plan was made from")
    func fence() throws {
        let (plan, _) = Self.run([Self.scan([], at: 0), Self.scan([], at: 30)])
        #expect(plan.fence == OwnershipFence(coverage: Self.t0.adding(seconds: 1)))
        #expect(Self.run([Self.scan([], at: 0)]).0.fence == OwnershipFence(coverage: nil))
    }

    @Test("chunk boundaries: any chunk size gives the same events and snapshot as one chunk", arguments: [1, 2, 3, 7, 5000])
    func chunks(_ size: Int) throws {
        let chunked = DynamoDBCyclePlanner(source: Self.planner.source, table: "locks", gapThreshold: 300, chunkSize: size)
        let before = (0..<10).map { Self.lock(Self.idA, path: "b/s\($0).tfstate") } + (0..<5).map { Self.digest("d\($0)", path: "b/s\($0).tfstate") }
        let after = (5..<12).map { Self.lock(Self.idB, path: "b/s\($0).tfstate") } + (0..<5).map { Self.digest("e\($0)", path: "b/s\($0).tfstate") }
        let steps = [Self.scan(before, at: 0), Self.scan(after, at: 30)]
        let (reference, referenceModel) = Self.run(steps)
        let (plan, model) = Self.run(steps, planner: chunked)
        #expect(plan.events == reference.events)
        #expect(model.snapshot == referenceModel.snapshot)
        let keys = 17  // b/s0…s11 and b/s0-md5…s4-md5
        #expect(plan.batches.count == 1 + (keys + size - 1) / size)
        #expect(plan.batches.dropFirst().allSatisfy { $0.upserts.count + $0.deletions.count <= size })
        // Batches are pure: reading them again gives the same.
        #expect(plan.events == plan.events)
    }

    @Test("pages planned as they arrive, then the scan's plan: the same changes as one plan, what disappeared only at the end")
    func pages() throws {
        var planner = DynamoDBCyclePlanner(source: Self.planner.source, table: "locks", gapThreshold: 300, chunkSize: 2)
        planner.earlyCommitItems = 3
        let before = (0..<6).map { Self.lock(Self.idA, path: "b/s\($0).tfstate") } + (0..<4).map { Self.digest("d\($0)", path: "b/s\($0).tfstate") }
        // The second scan: s0 and s1 gone, s2…s5 taken again under another ID, s6…s8 new, every digest changed.
        let after = (2..<9).map { Self.lock(Self.idB, path: "b/s\($0).tfstate") } + (0..<4).map { Self.digest("e\($0)", path: "b/s\($0).tfstate") }
        var (_, reference) = Self.run([Self.scan(before, at: 0)])
        var model = reference
        let referencePlan = planner.plan(
            checkpoint: reference.checkpoint, snapshot: reference.snapshot,
            observation: DynamoDBScanObservation(.items(after), started: Self.t0.adding(seconds: 30), completed: Self.t0.adding(seconds: 31)))
        reference.commit(referencePlan)

        let started = Self.t0.adding(seconds: 30)
        let initial = model.checkpoint
        var pageEvents: [Event] = []
        for (n, page) in [Array(after[0..<4]), Array(after[4..<6]), Array(after[6...])].enumerated() {
            let received = started.adding(seconds: 0.25 * Double(n + 1))
            guard
                let (plan, changes) = planner.pagePlan(
                    checkpoint: model.checkpoint, snapshot: model.snapshot, page: page, started: started, received: received)
            else {
                #expect(page.count < 3, "a page of \(page.count) changed items is committed early")
                continue
            }
            #expect(plan.status == .progress(items: page.count, at: received))
            #expect(plan.batches.allSatisfy { $0.deletions.isEmpty }, "what disappeared is known only at the end")
            #expect(plan.events.allSatisfy { $0.observedAt == received })
            pageEvents += plan.events
            #expect(Dictionary(uniqueKeysWithValues: plan.batches.flatMap { $0.upserts }) == changes)
            #expect(plan.batches.allSatisfy { $0.upserts.count <= planner.chunkSize })
            model.commit(plan)
        }
        #expect(model.checkpoint == initial, "pages move no coverage")
        let last = planner.plan(
            checkpoint: model.checkpoint, snapshot: model.snapshot,
            observation: DynamoDBScanObservation(.items(after), started: started, completed: Self.t0.adding(seconds: 31)))
        model.commit(last)
        #expect(model.snapshot == reference.snapshot)
        #expect(model.checkpoint == reference.checkpoint)
        // The same changes: kinds and locks alike, each once; the scan's own plan holds the releases of s0 and s1.
        func summary(_ events: [Event]) -> [String] {
            events.map { "\($0.kind.rawValue) \($0.state ?? "") \($0.lockID ?? "") \($0.details["digest"]?.stringValue ?? "")" }.sorted()
        }
        #expect(summary(pageEvents + last.events) == summary(referencePlan.events))
        #expect(last.events.filter { $0.kind == .lockReleased }.compactMap(\.state).sorted() == ["b/s0.tfstate", "b/s1.tfstate"])
        // A page below the threshold, or after the table was missing, waits for the scan's plan.
        #expect(planner.pagePlan(checkpoint: model.checkpoint, snapshot: model.snapshot, page: after, started: started, received: started) == nil)
        var missing = model.checkpoint
        missing.status = .tableMissing
        #expect(planner.pagePlan(checkpoint: missing, snapshot: [:], page: after, started: started, received: started) == nil)
    }
}
