import LocktrailCore
import Testing

@Suite("S3 coverage gaps in every mode")
struct S3CoverageGapTests {
    typealias V = VersionHistoryTests
    typealias P = S3CyclePlannerTests
    static let t0 = V.t0
    static let lockPath = "b/app/terraform.tfstate"

    /// The history `specs` (oldest first, version ids `v0`, `v1`, … in that order) as listed with
    /// only the versions numbered in `listed`: the others were pruned, or are not written yet.
    static func history(_ specs: [VersionHistoryTests.Spec], listed: [Int], at: Double) -> P.Step {
        let (entries, fetched) = V.listing(specs, interleaved: true)
        let ids = Set(listed.map { "v\($0)" })
        return P.Step(seen: .listed(entries.filter { ids.contains($0.versionID) }, fetched), at: at)
    }

    // A lock (v0, v1), another lock (v2, v3), and a state version (v4), a few seconds apart.
    static let specs = [V.V(0, V.record(1)), V.D(2), V.V(20, V.record(2)), V.D(21), V.V(22, V.stateHead, key: V.stateKey)]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [P.Step]
        /// Per gap of the last cycle: the state it concerns (nil: the whole source) and words of its reason.
        var gaps: [(state: String?, reason: String)]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "versioned, collector down longer than the threshold: a gap for the source",
            steps: [history(specs, listed: [0, 1], at: 10), history(specs, listed: [0, 1, 2, 3], at: 1000)],
            gaps: [(nil, "collector not running")]),
        Case(
            name: "versioned, a pause within the threshold: no gap",
            steps: [history(specs, listed: [0, 1], at: 10), history(specs, listed: [0, 1, 2, 3], at: 100)], gaps: []),
        Case(
            name: "versioned, failed listings past the threshold: a gap with the error",
            steps: [history(specs, listed: [0, 1], at: 10), P.fail("AccessDenied", at: 200), history(specs, listed: [0, 1], at: 1000)],
            gaps: [(nil, "failed scans: AccessDenied")]),
        Case(
            name: "versioned, a lock-file version read before is pruned (its delete marker stays): a gap for that state",
            steps: [history(specs, listed: [0, 1], at: 10), history(specs, listed: [1], at: 40)],
            gaps: [(lockPath, "no longer listed")]),
        Case(
            name: "versioned, a state version read before is pruned: a gap for that state",
            steps: [history(specs, listed: [4], at: 30), history(specs, listed: [], at: 60)], gaps: [(lockPath, "no longer listed")]),
        Case(
            name: "versioned, a new delete marker with no version before it: its lock was pruned unseen",
            steps: [history(specs, listed: [4], at: 10), history(specs, listed: [3, 4], at: 40)],
            gaps: [(lockPath, "no version listed before it")]),
        Case(
            name: "versioned, the whole lock-file history pruned but its last marker: both rules, one gap each",
            steps: [history(specs, listed: [0, 1], at: 10), history(specs, listed: [3], at: 40)],
            gaps: [(lockPath, "no longer listed"), (lockPath, "no version listed before it")]),
        Case(
            name: "versioned, first cycle: a marker with nothing before it is not a gap (nothing was covered yet)",
            steps: [history(specs, listed: [3, 4], at: 40)], gaps: []),
        Case(
            name: "versioned, a marker older than the previous scan: not a gap of this cycle",
            steps: [history(specs, listed: [4], at: 30), history(specs, listed: [3, 4], at: 60)], gaps: []),
        Case(
            name: "versioned, a repeated delete (marker after marker): not a gap",
            steps: [
                history([V.V(0, V.record(1)), V.D(2), V.D(20)], listed: [0, 1], at: 10),
                history([V.V(0, V.record(1)), V.D(2), V.D(20)], listed: [0, 1, 2], at: 40),
            ], gaps: []),
        Case(
            name: "versioned, versions of other objects pruned: not a gap",
            steps: [
                history([V.V(0, Array("hello".utf8), key: "notes.txt")], listed: [0], at: 10),
                history([V.V(0, Array("hello".utf8), key: "notes.txt")], listed: [], at: 40),
            ], gaps: []),
        Case(
            name: "listing, a pause longer than the threshold: a gap for the source",
            steps: [P.objects([], at: 10), P.objects([], at: 1000)], gaps: [(nil, "collector not running")]),
    ]

    @Test("gap rules", arguments: cases)
    func rules(_ c: Case) throws {
        let (plan, _, _) = P.run(c.steps)
        let gaps = plan.events.filter { $0.kind == .coverageGap }
        #expect(gaps.map(\.state) == c.gaps.map(\.state))
        for (gap, expected) in zip(gaps, c.gaps) {
            #expect(gap.details["reason"]?.stringValue?.contains(expected.reason) == true, "\(gap.details)")
        }
        #expect(plan.recordsGap == !c.gaps.isEmpty)
    }

    @Test("a pruned state's gap spans the unobserved period: from the previous scan's start to this one's")
    func prunedPeriod() throws {
        let (plan, _, _) = P.run([Self.history(Self.specs, listed: [0, 1], at: 10), Self.history(Self.specs, listed: [1], at: 40)])
        let gap = try #require(plan.events.first { $0.kind == .coverageGap })
        #expect(gap.details["from"] == .string(Self.t0.adding(seconds: 10).rfc3339))
        #expect(gap.details["to"] == .string(Self.t0.adding(seconds: 40).rfc3339))
        #expect(gap.time == EventTime.between(after: Self.t0.adding(seconds: 10), notAfter: Self.t0.adding(seconds: 40)))
        #expect(gap.source == "s3:b")
        #expect(gap.workspace == "default")
        #expect(gap.details["object_key"] == .string(V.lockKey))
    }

    @Test("an orphan delete marker's gap ends at the marker")
    func orphanPeriod() throws {
        let (plan, _, _) = P.run([Self.history(Self.specs, listed: [4], at: 10), Self.history(Self.specs, listed: [3, 4], at: 40)])
        let gap = try #require(plan.events.first { $0.kind == .coverageGap })
        #expect(gap.details["from"] == .string(Self.t0.adding(seconds: 10).rfc3339))
        #expect(gap.details["to"] == .string(Self.t0.adding(seconds: 21).rfc3339))
        #expect(gap.details["version_id"] == "v3")
        // The marker itself is still recorded, raw, as before.
        #expect(plan.kinds.contains("observation.unparsed"))
    }

    @Test("the same pruning seen again records nothing twice")
    func idempotent() throws {
        let steps = [
            Self.history(Self.specs, listed: [0, 1], at: 10), Self.history(Self.specs, listed: [1], at: 40),
            Self.history(Self.specs, listed: [1], at: 70),
        ]
        let (plan, _, _) = P.run(steps)
        #expect(plan.events.isEmpty)
    }
}
