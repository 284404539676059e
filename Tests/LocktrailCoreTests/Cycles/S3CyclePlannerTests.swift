import LocktrailCore
import Testing

@Suite("S3 cycle plans")
struct S3CyclePlannerTests {
    typealias V = VersionHistoryTests
    static let planner = S3CyclePlanner(source: "s3:b", bucket: "b", gapThreshold: 300)
    static let t0 = VersionHistoryTests.t0
    static let lockKey = VersionHistoryTests.lockKey
    static let stateKey = VersionHistoryTests.stateKey

    /// What one cycle saw, at `at` seconds after t0 (taking one second): the version history (given
    /// oldest first, as in VersionHistoryTests), the current objects (key, ETag, body), or a failure.
    enum Seen: Sendable {
        case versions([VersionHistoryTests.Spec])
        case objects([(key: String, etag: String, body: [UInt8])])
        /// A version listing as given, with what reads of it return.
        case listed([S3HistoryEntry], [String: S3Fetched])
        case failure(String)
    }
    struct Step: Sendable {
        var seen: Seen
        var at: Double
    }
    static func versions(_ specs: [VersionHistoryTests.Spec], at: Double) -> Step { Step(seen: .versions(specs), at: at) }
    static func objects(_ objects: [(key: String, etag: String, body: [UInt8])], at: Double) -> Step { Step(seen: .objects(objects), at: at) }
    static func fail(_ message: String, at: Double) -> Step { Step(seen: .failure(message), at: at) }
    static func lockObject(_ n: Int) -> (key: String, etag: String, body: [UInt8]) { (lockKey, "l\(n)", V.record(n)) }
    static func stateObject(_ etag: String) -> (key: String, etag: String, body: [UInt8]) { (stateKey, etag, V.stateHead) }

    /// Plans and commits `steps`; returns the last plan, what it read, and the model after it.
    static func run(_ steps: [Step]) -> (plan: CyclePlan, reads: [S3Read], model: CycleModel) {
        var model = CycleModel()
        var last: (CyclePlan, [S3Read])?
        for step in steps {
            let started = t0.adding(seconds: step.at)
            let completed = started.adding(seconds: 1)
            let listing: S3BucketObservation.Listing
            var available: [String: S3Fetched] = [:]
            switch step.seen {
            case .failure(let message):
                let plan = CyclePlan.failed(source: planner.source, checkpoint: model.checkpoint, message: message, at: completed)
                model.commit(plan)
                last = (plan, [])
                continue
            case .versions(let specs):
                let (entries, fetched) = V.listing(specs, interleaved: true)
                listing = .versions(entries)
                available = fetched
            case .listed(let entries, let fetched):
                listing = .versions(entries)
                available = fetched
            case .objects(let objects):
                listing = .objects(objects.map { S3ListedObject(key: $0.key, etag: $0.etag, size: Int64($0.body.count), lastModified: started) })
                for o in objects { available[o.key] = .bytes(o.body, versionID: nil) }
            }
            // Only what the planner asks for is read.
            let reads = planner.reads(checkpoint: model.checkpoint, snapshot: model.snapshot, listing: listing)
            let fetched = Dictionary(uniqueKeysWithValues: reads.map { ($0.itemKey, available[$0.itemKey]!) })
            let plan = planner.plan(
                checkpoint: model.checkpoint, snapshot: model.snapshot,
                observation: S3BucketObservation(listing: listing, fetched: fetched, started: started, completed: completed))
            model.commit(plan)
            last = (plan, reads)
        }
        return (last!.0, last!.1, model)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        /// The last cycle's event kinds, reads, mode afterwards, snapshot reset and gap.
        var kinds: [String]
        var reads: Int
        var mode: SourceStatus
        var resets = false
        var gap = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "versioned, first cycle: every version and delete marker at its exact time",
            steps: [versions([V.V(0, V.record(1)), V.D(2), V.V(3, V.stateHead, key: stateKey)], at: 10)],
            kinds: ["state.written", "lock.acquired", "lock.released"], reads: 2, mode: .versioned),
        Case(
            name: "versioned, nothing new: nothing read, nothing recorded",
            steps: [versions([V.V(0, V.record(1)), V.D(2)], at: 10), versions([V.V(0, V.record(1)), V.D(2)], at: 40)],
            kinds: [], reads: 0, mode: .versioned),
        Case(
            name: "versioned, a lock shorter than the poll: acquired and released, only the new version read",
            steps: [
                versions([V.V(0, V.record(1)), V.D(2)], at: 10), versions([V.V(0, V.record(1)), V.D(2), V.V(20, V.record(2)), V.D(21)], at: 40),
            ],
            kinds: ["lock.acquired", "lock.released"], reads: 1, mode: .versioned),
        Case(
            name: "listing, first cycle: a held lock file and a state",
            steps: [objects([lockObject(1), stateObject("s1")], at: 10)], kinds: ["state.written", "lock.acquired"], reads: 2, mode: .listing),
        Case(
            name: "listing, nothing changed", steps: [objects([lockObject(1)], at: 10), objects([lockObject(1)], at: 40)],
            kinds: [], reads: 0, mode: .listing),
        Case(
            name: "listing, lock file gone: released", steps: [objects([lockObject(1)], at: 10), objects([], at: 40)],
            kinds: ["lock.released"], reads: 0, mode: .listing),
        Case(
            name: "listing, lock file replaced: release then acquire", steps: [objects([lockObject(1)], at: 10), objects([lockObject(2)], at: 40)],
            kinds: ["lock.released", "lock.acquired"], reads: 1, mode: .listing),
        Case(
            name: "listing, a pause longer than the threshold: a gap",
            steps: [objects([], at: 10), objects([lockObject(1)], at: 1000)], kinds: ["source.coverage_gap", "lock.acquired"], reads: 1,
            mode: .listing, gap: true),
        Case(
            name: "listing, failed listings past the threshold: a gap",
            steps: [objects([], at: 10), fail("AccessDenied", at: 200), objects([], at: 1000)], kinds: ["source.coverage_gap"], reads: 0,
            mode: .listing, gap: true),
        Case(
            name: "versioning enabled on a listed bucket: the snapshot is forgotten and the history read",
            steps: [objects([lockObject(1)], at: 10), versions([V.V(0, V.record(1))], at: 40)], kinds: ["lock.acquired"], reads: 1,
            mode: .versioned, resets: true),
        Case(
            name: "versioning suspended: listings again, from a fresh snapshot",
            steps: [versions([V.V(0, V.record(1))], at: 10), objects([lockObject(1)], at: 40)], kinds: ["lock.acquired"], reads: 1,
            mode: .listing, resets: true),
    ]

    @Test("cycle rules", arguments: cases)
    func rules(_ c: Case) throws {
        let (plan, reads, model) = Self.run(c.steps)
        #expect(plan.kinds == c.kinds)
        #expect(reads.count == c.reads)
        guard case .observed(let mode, let window, _) = plan.status else { Issue.record("not observed"); return }
        #expect(mode == c.mode)
        #expect(model.checkpoint.status == c.mode)
        #expect(model.checkpoint.lastScanCompleted == window.completed)
        #expect(plan.cursor.resetsSnapshot == c.resets)
        #expect(plan.recordsGap == c.gap)
        #expect(Set(plan.events.map(\.key)).count == plan.events.count)
    }

    @Test("the mode follows the bucket's versioning", arguments: [(true, SourceStatus.versioned), (false, .listing)])
    func mode(_ enabled: Bool, _ mode: SourceStatus) {
        #expect(S3CyclePlanner.mode(versioningEnabled: enabled) == mode)
    }

    @Test("versions no longer listed are forgotten; their events are not repeated")
    func forgotten() throws {
        let (entries, fetched) = V.listing([V.V(0, V.record(1)), V.D(2), V.V(5, V.record(2))], interleaved: true)
        let newest = entries.filter { $0.versionID == "v2" }
        let (plan, reads, model) = Self.run([Step(seen: .listed(entries, fetched), at: 10), Step(seen: .listed(newest, fetched), at: 40)])
        #expect(reads.isEmpty)
        #expect(!plan.kinds.contains("lock.acquired") && !plan.kinds.contains("lock.released"))
        #expect(plan.batches.flatMap(\.deletions).sorted() == ["\(Self.lockKey)#v0", "\(Self.lockKey)#v1"])
        #expect(Array(model.snapshot.keys) == ["\(Self.lockKey)#v2"])
    }

    @Test("a lock file's snapshot is its ETag and body, typed")
    func lockFileSnapshot() throws {
        let (_, _, model) = Self.run([Self.objects([Self.lockObject(1)], at: 10)])
        let file = try #require(model.snapshot[Self.lockKey]?.lockFile)
        #expect(file.etag == "l1")
        #expect(file.body == V.record(1))
    }
}
