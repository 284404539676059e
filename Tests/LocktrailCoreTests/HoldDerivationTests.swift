import LocktrailCore
import Testing

/// A tiny language for event histories: minutes after 05:00 on 2025-03-04.
enum History {
    static let base = Timestamp(parsing: "2025-03-04T05:00:00Z")!
    static func at(_ minute: Double) -> Timestamp { base.adding(seconds: minute * 60) }
    static func exact(_ minute: Double) -> EventTime { .exact(at(minute)) }
    static func within(_ after: Double?, _ notAfter: Double) -> EventTime { .between(after: after.map(at), notAfter: at(notAfter)) }

    static let state = "b/app.tfstate"
    static let ddb = "dynamodb:us-east-1/locks"
    static let s3 = "s3:b"

    static func record(_ id: String) -> JSONValue {
        ["who": "alice@h", "operation": "OperationTypeApply", "version": "1.11.4", "created": "2025-03-04T05:00:00Z", "path": .string(state)]
    }

    /// One event; `seq` is assigned by `events(_:)`.
    struct Step: Sendable {
        var kind: EventKind
        var source = ddb
        var mechanism: String? = "dynamodb"
        var time: EventTime
        var lockID: String? = nil
        var state: String? = History.state
        var details: JSONValue = [:]
    }

    static func acquired(_ id: String, _ time: EventTime, source: String = ddb, mechanism: String = "dynamodb") -> Step {
        Step(kind: .lockAcquired, source: source, mechanism: mechanism, time: time, lockID: id, details: record(id))
    }
    static func released(_ id: String, _ time: EventTime, source: String = ddb, mechanism: String = "dynamodb") -> Step {
        Step(kind: .lockReleased, source: source, mechanism: mechanism, time: time, lockID: id, details: record(id))
    }
    static func written(_ time: EventTime, source: String = ddb, mechanism: String = "dynamodb", details: JSONValue = ["digest": "d"]) -> Step {
        Step(kind: .stateWritten, source: source, mechanism: mechanism, time: time, details: details)
    }
    static func hook(_ kind: EventKind, _ id: String?, _ time: EventTime, details: JSONValue = [:]) -> Step {
        Step(kind: kind, source: "hook", mechanism: "hook", time: time, lockID: id, details: details)
    }

    static func events(_ steps: [Step]) -> [SequencedEvent] {
        steps.enumerated().map { i, s in
            SequencedEvent(seq: Int64(i + 1), event: Event(
                key: "k\(i)", kind: s.kind, source: s.source, mechanism: s.mechanism, time: s.time, observedAt: s.time.latest,
                lockID: s.lockID, state: s.state, details: s.details))
        }
    }
}

@Suite("Deriving holds from events")
struct HoldDerivationTests {
    typealias H = History
    static let a = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
    static let b = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [History.Step]
        var lockID = HoldDerivationTests.a
        var acquired: EventTime?
        var released: EventTime?
        var kind: ReleaseKind?
        var mechanisms: [String] = ["dynamodb"]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "acquired exactly, released within scan bounds",
             steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6))],
             acquired: H.exact(1), released: H.within(5, 6), kind: .released),
        Case(name: "still held: no release, no kind",
             steps: [H.acquired(a, H.within(0, 1))], acquired: H.within(0, 1), released: nil, kind: nil),
        Case(name: "dual-lock: lock file and DynamoDB share the ID; exact lock-file times win",
             steps: [H.acquired(a, H.within(0, 2)), H.acquired(a, H.exact(1), source: H.s3, mechanism: "s3-lockfile"),
                     H.released(a, H.exact(4), source: H.s3, mechanism: "s3-lockfile"), H.released(a, H.within(3, 5))],
             acquired: H.exact(1), released: H.exact(4), kind: .released, mechanisms: ["dynamodb", "s3-lockfile"]),
        Case(name: "dual-lock: lock file gone but DynamoDB item still there: still held",
             steps: [H.acquired(a, H.exact(1), source: H.s3, mechanism: "s3-lockfile"), H.acquired(a, H.within(0, 2)),
                     H.released(a, H.exact(4), source: H.s3, mechanism: "s3-lockfile")],
             acquired: H.exact(1), released: nil, kind: nil, mechanisms: ["dynamodb", "s3-lockfile"]),
        Case(name: "overlapping evidence from two scanners: the tighter bounds win",
             steps: [H.acquired(a, H.within(0, 10)), H.acquired(a, H.within(2, 3), source: "dynamodb:eu-west-1/locks"),
                     H.released(a, H.within(20, 30)), H.released(a, H.within(21, 22), source: "dynamodb:eu-west-1/locks")],
             acquired: H.within(2, 3), released: H.within(21, 22), kind: .released),
        Case(name: "force-unlock then disappearance: forced",
             steps: [H.acquired(a, H.exact(1)), H.hook(.lockForceUnlocked, a, H.exact(3), details: ["actor": "bob", "reason": "stuck"]),
                     H.released(a, H.within(2, 4))],
             acquired: H.exact(1), released: H.within(2, 4), kind: .forced),
        Case(name: "force-unlock not followed by a disappearance: still held",
             steps: [H.acquired(a, H.exact(1)), H.hook(.lockForceUnlocked, a, H.exact(3), details: ["actor": "bob"])],
             acquired: H.exact(1), released: nil, kind: nil),
        Case(name: "holder failed to release: forced",
             steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(2, 4)), H.hook(.lockReleaseFailed, a, H.exact(5))],
             acquired: H.exact(1), released: H.within(2, 4), kind: .forced),
        Case(name: "holder failed to release and no source saw it go: forced, ended by then",
             steps: [H.acquired(a, H.exact(1)), H.hook(.lockReleaseFailed, a, H.exact(5))],
             acquired: H.exact(1), released: H.within(1, 5), kind: .forced),
        Case(name: "disappeared while the holder's run was alive: forced",
             steps: [H.hook(.runStarted, a, H.exact(0.5), details: ["run_id": "r1"]), H.acquired(a, H.exact(1)),
                     H.released(a, H.within(2, 3)), H.hook(.runHeartbeat, nil, H.exact(4), details: ["run_id": "r1"])],
             acquired: H.exact(1), released: H.within(2, 3), kind: .forced),
        Case(name: "run finished after release, no heartbeat after it: released",
             steps: [H.hook(.runStarted, a, H.exact(0.5), details: ["run_id": "r1"]), H.acquired(a, H.exact(1)),
                     H.released(a, H.within(2, 3)), H.hook(.runFinished, nil, H.exact(3), details: ["run_id": "r1"])],
             acquired: H.exact(1), released: H.within(2, 3), kind: .released),
        Case(name: "table went missing while held: unknown end within its bounds",
             steps: [H.acquired(a, H.exact(1)),
                     H.Step(kind: .sourceTableMissing, time: H.within(5, 6), state: nil, details: ["held_lock_ids": [.string(a)]])],
             acquired: H.exact(1), released: H.within(5, 6), kind: .unknown),
        Case(name: "only a release was seen: the acquire is unknown",
             steps: [H.released(a, H.within(5, 6))], acquired: nil, released: H.within(5, 6), kind: .released),
    ]

    @Test(arguments: cases)
    func hold(_ c: Case) throws {
        let derived = HoldDerivation.derive(History.events(c.steps))
        let hold = try #require(derived.holds.first { $0.lockID == c.lockID })
        #expect(hold.acquired == c.acquired)
        #expect(hold.released == c.released)
        #expect(hold.releaseKind == c.kind)
        #expect(hold.mechanisms == c.mechanisms)
        #expect(hold.state == History.state)
        #expect(hold.who == "alice@h")
        #expect(hold.evidence.count >= c.steps.filter { $0.lockID == c.lockID }.count)
    }

    @Test func forceUnlockNamesActorAndReason() throws {
        let derived = HoldDerivation.derive(History.events([
            H.acquired(Self.a, H.exact(1)), H.hook(.lockForceUnlocked, Self.a, H.exact(3), details: ["actor": "bob", "reason": "stuck apply"]),
            H.released(Self.a, H.within(2, 4)),
        ]))
        #expect(derived.holds[0].forcedBy == "bob")
        #expect(derived.holds[0].forceReason == "stuck apply")
        #expect(derived.holds[0].json["evidence"].flatMap { if case .array(let a) = $0 { a.count } else { nil } } == 3)
    }

    struct WhoCase: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [History.Step]
        var at: Double
        var lockID: String?
        var certainty: String?
        var others: [String] = []
        var testDescription: String { name }
    }

    static let whoCases: [WhoCase] = [
        WhoCase(name: "inside the certain interval", steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6))],
                at: 3, lockID: a, certainty: "certain"),
        WhoCase(name: "inside the release bounds: uncertain", steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6))],
                at: 5.5, lockID: a, certainty: "possible"),
        WhoCase(name: "inside the acquire bounds: uncertain", steps: [H.acquired(a, H.within(0, 2))],
                at: 1, lockID: a, certainty: "possible"),
        WhoCase(name: "after the release: nobody", steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6))],
                at: 7, lockID: nil, certainty: nil),
        WhoCase(name: "release and next acquire in one scan interval: both candidates",
                steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6)), H.acquired(b, H.within(5, 6))],
                at: 5.5, lockID: b, certainty: "possible", others: [a]),
        WhoCase(name: "still held", steps: [H.acquired(a, H.exact(1))], at: 100, lockID: a, certainty: "certain"),
    ]

    @Test(arguments: whoCases)
    func whoAt(_ c: WhoCase) {
        let holds = HoldDerivation.derive(History.events(c.steps)).holds
        let answer = HoldAtTime(at: History.at(c.at), candidates: holds)
        #expect(answer.hold?.lockID == c.lockID)
        #expect(answer.certainty == c.certainty)
        #expect(answer.otherCandidates == c.others)
    }
}

@Suite("Matching writes to holds")
struct WriteDerivationTests {
    typealias H = History
    static let a = HoldDerivationTests.a

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [History.Step]
        var status: WriteStatus
        var match: String? = nil
        var testDescription: String { name }
    }

    static let lockFileHistory: [History.Step] = [
        H.acquired("cccccccc-cccc-cccc-cccc-cccccccccccc", H.exact(0), source: H.s3, mechanism: "s3-lockfile"),
        H.released("cccccccc-cccc-cccc-cccc-cccccccccccc", H.exact(0.5), source: H.s3, mechanism: "s3-lockfile"),
    ]
    static let s3Write: JSONValue = ["etag": "e", "serial": 5, "lineage": "L"]

    static let cases: [Case] = [
        Case(name: "write inside a certain hold: locked, certain",
             steps: [H.acquired(a, H.exact(1)), H.written(H.within(2, 3)), H.released(a, H.within(5, 6))], status: .locked, match: "certain"),
        Case(name: "write in the same scan as the release: locked, possible",
             steps: [H.acquired(a, H.exact(1)), H.written(H.within(5, 6)), H.released(a, H.within(5, 6))], status: .locked, match: "possible"),
        Case(name: "DynamoDB-only write with no lock seen: unknown (a lock could hide between scans)",
             steps: [H.written(H.within(5, 6))], status: .unknown),
        Case(name: "exact write, exact lock-file history, no hold: unlocked",
             steps: lockFileHistory + [H.written(H.exact(3), source: H.s3, mechanism: "s3-state", details: s3Write)], status: .unlocked),
        Case(name: "exact write but no exact lock history for the state: unknown",
             steps: [H.written(H.exact(3), source: H.s3, mechanism: "s3-state", details: s3Write)], status: .unknown),
        Case(name: "exact write before the exact lock history starts: unknown",
             steps: [H.written(H.exact(-3), source: H.s3, mechanism: "s3-state", details: s3Write)] + lockFileHistory, status: .unknown),
        Case(name: "exact write inside a coverage gap: unknown",
             steps: lockFileHistory + [
                H.Step(kind: .coverageGap, source: H.s3, time: H.exact(4), state: nil,
                       details: ["from": .string(H.at(2).rfc3339), "to": .string(H.at(4).rfc3339)]),
                H.written(H.exact(3), source: H.s3, mechanism: "s3-state", details: s3Write)], status: .unknown),
        Case(name: "exact write under an exact lock-file hold: locked, certain",
             steps: lockFileHistory + [H.acquired(a, H.exact(1), source: H.s3, mechanism: "s3-lockfile"),
                                       H.written(H.exact(2), source: H.s3, mechanism: "s3-state", details: s3Write),
                                       H.released(a, H.exact(3), source: H.s3, mechanism: "s3-lockfile")], status: .locked, match: "certain"),
        Case(name: "baseline digest (written before watching): unknown",
             steps: [H.written(H.within(nil, 1), details: ["digest": "d", "baseline": true])], status: .unknown),
    ]

    @Test(arguments: cases)
    func write(_ c: Case) throws {
        let write = try #require(HoldDerivation.derive(History.events(c.steps)).writes.last)
        #expect(write.status == c.status, "\(write.reason)")
        #expect(write.match == c.match)
        #expect(!write.reason.isEmpty)
    }

    /// A wrapped run's start (who, state) and end, as the wrapper reports them.
    static func started(_ run: String, _ minute: Double, who: String = "alice@h") -> History.Step {
        H.hook(.runStarted, nil, H.exact(minute), details: ["run_id": .string(run), "who": .string(who)])
    }
    static func finished(_ run: String, _ minute: Double, exitCode: Int64 = 0) -> History.Step {
        H.hook(.runFinished, nil, H.exact(minute), details: ["run_id": .string(run), "who": "alice@h", "exit_code": .int(exitCode)])
    }

    @Test("a hold is the run's that, on the same state and by the same Who, was running when the lock was created",
          arguments: [
            ("the one run", [started("r1", -0.5), finished("r1", 3.5)], "r1"),
            ("another Who's run", [started("r1", -0.5, who: "bob@h"), finished("r1", 3.5)], nil),
            ("a run that ended before", [started("r1", -5), finished("r1", -4)], nil),
            ("a run that started after", [started("r1", 0.5)], nil),
            ("of two runs, the one still running then", [started("r1", -10), finished("r1", -9), started("r2", -0.2)], "r2"),
            ("a run blocked by it names it but did not take it",
             [H.hook(.lockContended, a, H.exact(2), details: ["run_id": "r9", "who": "bob@h"])], nil),
          ] as [(String, [History.Step], String?)])
    func runOfHold(_ name: String, _ runSteps: [History.Step], _ expected: String?) throws {
        // The lock record says Created 05:00 (minute 0) and Who alice@h.
        let hold = try #require(HoldDerivation.derive(History.events(
            runSteps + [H.acquired(Self.a, H.exact(1)), H.released(Self.a, H.within(2, 3))])).holds.first, "\(name)")
        #expect(hold.runID == expected, "\(name)")
        if expected != nil { #expect(hold.evidence.contains { $0.note.contains("same state and Who") }, "\(name)") }
    }

    @Test("a lock file's failed release names no lock: it is about the lock its run took last")
    func namelessReleaseFailure() throws {
        let failure = { (run: String) in
            H.hook(.lockReleaseFailed, nil, H.exact(3), details: ["run_id": .string(run), "who": "alice@h", "message": "NoSuchKey"])
        }
        let steps = [Self.started("r1", -0.5), Self.started("r2", -0.4, who: "bob@h"),
                     H.acquired(Self.a, H.exact(1), source: H.s3, mechanism: "s3-lockfile"),
                     H.released(Self.a, H.exact(2), source: H.s3, mechanism: "s3-lockfile")]
        let forced = try #require(HoldDerivation.derive(History.events(steps + [failure("r1")])).holds.first)
        #expect(forced.releaseKind == .forced)
        #expect(forced.evidence.contains { $0.note.contains("failed to release its lock") })
        let otherRun = try #require(HoldDerivation.derive(History.events(steps + [failure("r2")])).holds.first)
        #expect(otherRun.releaseKind == .released)
    }

    @Test("a heartbeat after the lock went is no evidence of force when the run then succeeded")
    func aliveButSucceeded() throws {
        let steps = [Self.started("r1", -0.5), H.acquired(Self.a, H.exact(1)), H.released(Self.a, H.within(2, 3)),
                     H.hook(.runHeartbeat, nil, H.exact(4), details: ["run_id": "r1", "who": "alice@h"])]
        let succeeded = try #require(HoldDerivation.derive(History.events(steps + [Self.finished("r1", 5)])).holds.first)
        #expect(succeeded.releaseKind == .released)
        let failed = try #require(HoldDerivation.derive(History.events(steps + [Self.finished("r1", 5, exitCode: 1)])).holds.first)
        #expect(failed.releaseKind == .forced)
        #expect(failed.evidence.contains { $0.note.contains("alive after the lock had gone") })
    }

    static let md5A = "0123456789abcdef0123456789abcdef"
    static let md5B = "fedcba9876543210fedcba9876543210"

    @Test("DynamoDB's digest and the S3 object of the same bytes are one write, timed by the object")
    func oneUploadSeenTwice() throws {
        let writes = HoldDerivation.derive(History.events([
            H.written(H.within(5, 6), details: ["digest": .string(Self.md5A)]),
            H.written(H.exact(5.5), source: H.s3, mechanism: "s3-state",
                      details: ["etag": .string(Self.md5A), "version_id": "v1", "serial": 7, "lineage": "L"]),
        ])).writes
        let write = try #require(writes.first)
        #expect(writes.count == 1)
        #expect(write.time == H.exact(5.5))
        #expect(write.source == H.s3)
        #expect(write.sources == [H.s3, H.ddb])
        #expect(write.digest == Self.md5A && write.etag == Self.md5A && write.serial == 7)
        #expect(write.evidence.map(\.seq) == [2, 1])
        #expect(write.json["sources"] == [.string(H.s3), .string(H.ddb)])
    }

    @Test("other bytes, a far-away time or a multipart ETag: separate writes")
    func notTheSameUpload() {
        let differentBytes = HoldDerivation.derive(History.events([
            H.written(H.within(5, 6), details: ["digest": .string(Self.md5A)]),
            H.written(H.exact(5.5), source: H.s3, mechanism: "s3-state", details: ["etag": .string(Self.md5B)]),
        ])).writes
        #expect(differentBytes.count == 2)
        let farApart = HoldDerivation.derive(History.events([
            H.written(H.within(5, 6), details: ["digest": .string(Self.md5A)]),
            H.written(H.exact(30), source: H.s3, mechanism: "s3-state", details: ["etag": .string(Self.md5A)]),
        ])).writes
        #expect(farApart.count == 2)
        let multipart = HoldDerivation.derive(History.events([
            H.written(H.within(5, 6), details: ["digest": .string(Self.md5A)]),
            H.written(H.exact(5.5), source: H.s3, mechanism: "s3-state", details: ["etag": .string(Self.md5A + "-2")]),
        ])).writes
        #expect(multipart.count == 2)
        #expect(multipart.allSatisfy { $0.sources.count == 1 })
    }

    @Test("the same bytes written twice (a state put back): each digest pairs with its own upload")
    func sameBytesTwice() {
        let writes = HoldDerivation.derive(History.events([
            H.written(H.exact(1), source: H.s3, mechanism: "s3-state", details: ["etag": .string(Self.md5A), "version_id": "v1"]),
            H.written(H.within(0.5, 1.5), details: ["digest": .string(Self.md5A)]),
            H.written(H.exact(10), source: H.s3, mechanism: "s3-state", details: ["etag": .string(Self.md5A), "version_id": "v2"]),
            H.written(H.within(9.5, 10.5), details: ["digest": .string(Self.md5A)]),
        ])).writes
        #expect(writes.map(\.versionID) == ["v1", "v2"])
        #expect(writes.allSatisfy { $0.sources == [H.s3, H.ddb] })
    }

    @Test func serialRegressionAndLineageChange() {
        let writes = HoldDerivation.derive(History.events([
            H.written(H.exact(1), source: H.s3, mechanism: "s3-state", details: ["serial": 5, "lineage": "L1"]),
            H.written(H.exact(3), source: H.s3, mechanism: "s3-state", details: ["serial": 4, "lineage": "L1"]),
            // Backfilled late: time order, not log order, decides what "previous" is.
            H.written(H.exact(2), source: H.s3, mechanism: "s3-state", details: ["serial": 6, "lineage": "L2"]),
        ])).writes
        #expect(writes.map(\.serialRegression) == [false, true, false])
        #expect(writes.map(\.lineageChanged) == [false, true, true])
        #expect(writes[1].previousSerial == 6)
        #expect(writes[2].previousLineage == "L1")
    }
}
