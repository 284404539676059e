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
        var mechanism: Mechanism? = .dynamodb
        var time: EventTime
        var lockID: String? = nil
        var state: String? = History.state
        var details: JSONValue = [:]
    }

    static func acquired(_ id: String, _ time: EventTime, source: String = ddb, mechanism: Mechanism = .dynamodb) -> Step {
        Step(kind: .lockAcquired, source: source, mechanism: mechanism, time: time, lockID: id, details: record(id))
    }
    static func released(_ id: String, _ time: EventTime, source: String = ddb, mechanism: Mechanism = .dynamodb) -> Step {
        Step(kind: .lockReleased, source: source, mechanism: mechanism, time: time, lockID: id, details: record(id))
    }
    static func written(_ time: EventTime, source: String = ddb, mechanism: Mechanism = .dynamodb, details: JSONValue = ["digest": "d"]) -> Step {
        Step(kind: .stateWritten, source: source, mechanism: mechanism, time: time, details: details)
    }
    static func hook(_ kind: EventKind, _ id: String?, _ time: EventTime, details: JSONValue = [:]) -> Step {
        Step(kind: kind, source: "hook", mechanism: .hook, time: time, lockID: id, details: details)
    }
    /// A lock-file version or delete marker from the bucket's version history (S3 whole seconds).
    static func version(_ kind: EventKind, _ id: String, _ minute: Double) -> Step {
        var details = record(id).objectValue ?? [:]
        details["time_basis"] = "last_modified"
        return Step(kind: kind, source: s3, mechanism: .s3Lockfile, time: exact(minute), lockID: id, details: .object(details))
    }
    /// S3's whole second `[t, t + 1 s)` at `minute`.
    static func second(_ minute: Double) -> EventTime {
        .between(after: at(minute).adding(microseconds: -1), notAfter: at(minute).adding(microseconds: 999_999))
    }
    /// A force-unlock with its outcome, as `locktrail unlock` or the wrapper records it.
    static func forceUnlock(
        _ id: String, _ time: EventTime, outcome: String?, actor: String = "bob", reason: String = "stuck",
        token: String? = nil
    ) -> Step {
        var details: [String: JSONValue] = ["actor": .string(actor), "reason": .string(reason)]
        if let outcome { details["outcome"] = .string(outcome) }
        if let token { details["ingest_token"] = .string(token) }
        return hook(.lockForceUnlocked, id, time, details: .object(details))
    }
    /// A holder's failed release with terraform's message.
    static func releaseFailed(_ id: String?, _ time: EventTime, _ message: String, run: String? = nil) -> Step {
        var details: [String: JSONValue] = ["who": "alice@h", "message": .string(message)]
        if let run { details["run_id"] = .string(run) }
        return hook(.lockReleaseFailed, id, time, details: .object(details))
    }
    static let gone = "failed to retrieve lock info for lock ID \"x\": unexpected end of JSON input"
    static let network =
        "failed to retrieve lock info for lock ID \"x\": operation error DynamoDB: GetItem, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , request send failed, dial tcp 127.0.0.1:1: connect: connection refused"

    static func events(_ steps: [Step]) -> [SequencedEvent] {
        steps.enumerated().map { i, s in
            SequencedEvent(
                seq: Int64(i + 1),
                event: Event(
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
        Case(
            name: "acquired exactly, released within scan bounds",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6))],
            acquired: H.exact(1), released: H.within(5, 6), kind: .released),
        Case(
            name: "still held: no release, no kind",
            steps: [H.acquired(a, H.within(0, 1))], acquired: H.within(0, 1), released: nil, kind: nil),
        Case(
            name: "dual-lock: lock file and DynamoDB share the ID; the lock file's whole seconds win",
            steps: [
                H.acquired(a, H.within(0, 2)), H.acquired(a, H.exact(1), source: H.s3, mechanism: .s3Lockfile),
                H.released(a, H.exact(4), source: H.s3, mechanism: .s3Lockfile), H.released(a, H.within(3, 5)),
            ],
            acquired: H.second(1), released: H.second(4), kind: .released, mechanisms: ["dynamodb", "s3-lockfile"]),
        Case(
            name: "dual-lock: lock file gone but DynamoDB item still there: still held",
            steps: [
                H.acquired(a, H.exact(1), source: H.s3, mechanism: .s3Lockfile), H.acquired(a, H.within(0, 2)),
                H.released(a, H.exact(4), source: H.s3, mechanism: .s3Lockfile),
            ],
            acquired: H.second(1), released: nil, kind: nil, mechanisms: ["dynamodb", "s3-lockfile"]),
        Case(
            name: "overlapping evidence from two scanners: the tighter bounds win",
            steps: [
                H.acquired(a, H.within(0, 10)), H.acquired(a, H.within(2, 3), source: "dynamodb:eu-west-1/locks"),
                H.released(a, H.within(20, 30)), H.released(a, H.within(21, 22), source: "dynamodb:eu-west-1/locks"),
            ],
            acquired: H.within(2, 3), released: H.within(21, 22), kind: .released),
        Case(
            name: "force-unlock that removed it, then disappearance: forced",
            steps: [H.acquired(a, H.exact(1)), H.forceUnlock(a, H.exact(3), outcome: "unlocked"), H.released(a, H.within(2, 4))],
            acquired: H.exact(1), released: H.within(2, 4), kind: .forced),
        Case(
            name: "locktrail unlock with outcome removed, inside the release bounds: forced",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(2, 4)), H.forceUnlock(a, H.exact(2.5), outcome: "removed")],
            acquired: H.exact(1), released: H.within(2, 4), kind: .forced),
        Case(
            name: "refused unlock, then the holder releases: released",
            steps: [H.acquired(a, H.exact(1)), H.forceUnlock(a, H.exact(2), outcome: "refused"), H.released(a, H.within(3, 4))],
            acquired: H.exact(1), released: H.within(3, 4), kind: .released),
        Case(
            name: "unlock found another lock: released",
            steps: [H.acquired(a, H.exact(1)), H.forceUnlock(a, H.exact(2), outcome: "held_by_other"), H.released(a, H.within(3, 4))],
            acquired: H.exact(1), released: H.within(3, 4), kind: .released),
        Case(
            name: "unlock found nothing: released",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(2, 3)), H.forceUnlock(a, H.exact(2.5), outcome: "not_found")],
            acquired: H.exact(1), released: H.within(2, 3), kind: .released),
        Case(
            name: "unlock saw the lock change meanwhile: released",
            steps: [H.acquired(a, H.exact(1)), H.forceUnlock(a, H.exact(2), outcome: "changed"), H.released(a, H.within(3, 4))],
            acquired: H.exact(1), released: H.within(3, 4), kind: .released),
        Case(
            name: "a force-unlock that names no outcome is an attempt: released",
            steps: [H.acquired(a, H.exact(1)), H.forceUnlock(a, H.exact(3), outcome: nil), H.released(a, H.within(2, 4))],
            acquired: H.exact(1), released: H.within(2, 4), kind: .released),
        Case(
            name: "a removal later than the disappearance could have been (beyond clock skew): released",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(2, 3)), H.forceUnlock(a, H.exact(4), outcome: "removed")],
            acquired: H.exact(1), released: H.within(2, 3), kind: .released),
        Case(
            name: "a removal within clock skew after the disappearance's latest bound: forced",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(2, 3)), H.forceUnlock(a, H.exact(3 + 3.0 / 60), outcome: "removed")],
            acquired: H.exact(1), released: H.within(2, 3), kind: .forced),
        Case(
            name: "force-unlock not followed by a disappearance: still held",
            steps: [H.acquired(a, H.exact(1)), H.forceUnlock(a, H.exact(3), outcome: "unlocked")],
            acquired: H.exact(1), released: nil, kind: nil),
        Case(
            name: "holder failed to release, the lock was gone: forced",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(2, 4)), H.releaseFailed(a, H.exact(5), H.gone)],
            acquired: H.exact(1), released: H.within(2, 4), kind: .forced),
        Case(
            name: "holder failed to release, the lock carried another ID: forced",
            steps: [
                H.acquired(a, H.exact(1)), H.released(a, H.within(2, 4)),
                H.releaseFailed(a, H.exact(5), "lock ID \"a\" does not match existing lock (\"b\")"),
            ],
            acquired: H.exact(1), released: H.within(2, 4), kind: .forced),
        Case(
            name: "holder failed to release with a network error: released",
            steps: [H.acquired(a, H.exact(1)), H.releaseFailed(a, H.exact(3), H.network), H.released(a, H.within(4, 5))],
            acquired: H.exact(1), released: H.within(4, 5), kind: .released),
        Case(
            name: "holder failed to release with throttling: released",
            steps: [H.acquired(a, H.exact(1)), H.releaseFailed(a, H.exact(3), "ThrottlingException: Rate exceeded"), H.released(a, H.within(4, 5))],
            acquired: H.exact(1), released: H.within(4, 5), kind: .released),
        Case(
            name: "holder failed to release without a message: released",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(2, 4)), H.hook(.lockReleaseFailed, a, H.exact(5))],
            acquired: H.exact(1), released: H.within(2, 4), kind: .released),
        Case(
            name: "a gone-lock failure while a source still sees the lock: still held, no release invented",
            steps: [H.acquired(a, H.exact(1)), H.releaseFailed(a, H.exact(5), H.gone)],
            acquired: H.exact(1), released: nil, kind: nil),
        Case(
            name: "a gone-lock failure before the lock can have gone (beyond clock skew): released",
            steps: [H.acquired(a, H.exact(1)), H.releaseFailed(a, H.exact(2), H.gone), H.released(a, H.within(4, 5))],
            acquired: H.exact(1), released: H.within(4, 5), kind: .released),
        Case(
            name: "the holder's run heard from just after the release (inside the exit grace): released",
            steps: [
                H.hook(.runStarted, a, H.exact(0.5), details: ["run_id": "r1"]), H.acquired(a, H.exact(1)),
                H.released(a, H.within(2, 3)), H.hook(.runHeartbeat, nil, H.exact(3.1), details: ["run_id": "r1"]),
            ],
            acquired: H.exact(1), released: H.within(2, 3), kind: .released),
        Case(
            name: "disappeared while the holder's run was alive: forced",
            steps: [
                H.hook(.runStarted, a, H.exact(0.5), details: ["run_id": "r1"]), H.acquired(a, H.exact(1)),
                H.released(a, H.within(2, 3)), H.hook(.runHeartbeat, nil, H.exact(4), details: ["run_id": "r1"]),
            ],
            acquired: H.exact(1), released: H.within(2, 3), kind: .forced),
        Case(
            name: "run finished after release, no heartbeat after it: released",
            steps: [
                H.hook(.runStarted, a, H.exact(0.5), details: ["run_id": "r1"]), H.acquired(a, H.exact(1)),
                H.released(a, H.within(2, 3)), H.hook(.runFinished, nil, H.exact(3), details: ["run_id": "r1"]),
            ],
            acquired: H.exact(1), released: H.within(2, 3), kind: .released),
        Case(
            name: "table went missing while held: unknown end within its bounds",
            steps: [
                H.acquired(a, H.exact(1)),
                H.Step(kind: .sourceTableMissing, time: H.within(5, 6), state: nil, details: ["held_lock_ids": [.string(a)]]),
            ],
            acquired: H.exact(1), released: H.within(5, 6), kind: .unknown),
        Case(
            name: "only a release was seen: the acquire is unknown",
            steps: [H.released(a, H.within(5, 6))], acquired: nil, released: H.within(5, 6), kind: .released),
        Case(
            name: "S3 version history: whole seconds, [t, t + 1 s)",
            steps: [H.version(.lockAcquired, a, 1), H.version(.lockReleased, a, 2)],
            acquired: H.second(1), released: H.second(2), kind: .released, mechanisms: ["s3-lockfile"]),
        Case(
            name: "a second state naming the lock ID is not merged: the first state's hold stays held",
            steps: [
                H.acquired(a, H.exact(1)),
                H.Step(kind: .lockReleased, time: H.within(2, 3), lockID: a, state: "b/other.tfstate", details: H.record(a)),
            ],
            acquired: H.exact(1), released: nil, kind: nil),
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
        let derived = HoldDerivation.derive(
            History.events([
                H.acquired(Self.a, H.exact(1)), H.forceUnlock(Self.a, H.exact(3), outcome: "unlocked", reason: "stuck apply"),
                H.released(Self.a, H.within(2, 4)),
            ]))
        #expect(derived.holds[0].forcedBy == "bob")
        #expect(derived.holds[0].forceReason == "stuck apply")
        #expect(derived.holds[0].json["evidence"].flatMap { if case .array(let a) = $0 { a.count } else { nil } } == 3)
    }

    @Test("a refused attempt stays in the evidence as an attempt, with its outcome; it names no actor on the hold")
    func refusedAttemptIsEvidenceOnly() throws {
        let hold = try #require(
            HoldDerivation.derive(
                History.events([
                    H.acquired(Self.a, H.exact(1)), H.forceUnlock(Self.a, H.exact(2), outcome: "refused"), H.released(Self.a, H.within(3, 4)),
                ])
            ).holds.first)
        #expect(hold.releaseKind == .released)
        #expect(hold.forcedBy == nil && hold.forceReason == nil)
        let attempt = try #require(hold.evidence.first { $0.kind == "lock.force_unlocked" })
        #expect(attempt.outcome == "refused")
        #expect(attempt.note.contains("attempt"))
    }

    @Test(
        "no hold without a sighting: reports about a lock ID no source saw make none",
        arguments: [
            [H.forceUnlock(a, H.exact(1), outcome: "not_found")],
            [H.hook(.lockContended, a, H.exact(1), details: ["run_id": "r1", "holder_who": "bob@h"])],
            [H.releaseFailed(a, H.exact(1), H.gone, run: "r1")],
            [H.hook(.runStarted, a, H.exact(0.5), details: ["run_id": "r1"]), H.hook(.runHeartbeat, a, H.exact(1), details: ["run_id": "r1"])],
        ])
    func noHoldWithoutSighting(_ steps: [History.Step]) {
        #expect(HoldDerivation.derive(History.events(steps)).holds.isEmpty)
    }

    @Test("a lock ID under two states: the first state's hold reports the anomaly, the second state gets no hold")
    func lockIDUnderTwoStates() throws {
        let derived = HoldDerivation.derive(
            History.events([
                H.acquired(Self.a, H.exact(1)),
                H.Step(kind: .lockAcquired, time: H.within(2, 3), lockID: Self.a, state: "b/other.tfstate", details: H.record(Self.a)),
                H.released(Self.a, H.within(4, 5)),
            ]))
        #expect(derived.holds.count == 1)
        let hold = try #require(derived.holds.first)
        #expect(hold.state == History.state)
        #expect(hold.otherStates == ["b/other.tfstate"])
        #expect(hold.anomalies.count == 1)
        #expect(hold.acquired == H.exact(1))
        #expect(hold.releaseKind == .released)
        #expect(hold.evidence.contains { $0.note.hasPrefix("ANOMALY") })
    }

    @Test("evidence says observed or reported, and names the token that reported it")
    func provenance() throws {
        let hold = try #require(
            HoldDerivation.derive(
                History.events([
                    H.acquired(Self.a, H.exact(1)), H.forceUnlock(Self.a, H.exact(2), outcome: "unlocked", token: "ci-runner"),
                    H.released(Self.a, H.within(1.5, 3)),
                ])
            ).holds.first)
        #expect(hold.releaseKind == .forced)
        #expect(hold.forceProvenance == .reported)
        #expect(hold.forceReportedBy == "token ci-runner")
        #expect(hold.evidence.map(\.provenance) == [.observed, .reported, .observed])
        #expect(hold.json["force_reported_by"] == "token ci-runner")
        let observed = try #require(
            HoldDerivation.derive(
                History.events([
                    H.acquired(Self.a, H.exact(1)), H.released(Self.a, H.within(1.5, 3)),
                    H.releaseFailed(Self.a, H.exact(3.5), H.gone),
                ])
            ).holds.first)
        #expect(observed.releaseKind == .forced)
        #expect(observed.forceProvenance == .reported)
    }

    @Test(
        "a run succeeded with exit 0, or 2 from plan -detailed-exitcode; a heartbeat well after the lock went is force only otherwise",
        arguments: [
            ("apply exit 0", "apply", ["apply"], 0, ReleaseKind.released),
            ("apply exit 1", "apply", ["apply"], 1, .forced),
            ("apply exit 2", "apply", ["apply"], 2, .forced),
            ("plan -detailed-exitcode exit 2", "plan", ["plan", "-detailed-exitcode"], 2, .released),
            ("plan --detailed-exitcode exit 2", "plan", ["plan", "--detailed-exitcode"], 2, .released),
            ("plan without the flag exit 2", "plan", ["plan"], 2, .forced),
        ] as [(String, String, [String], Int64, ReleaseKind)])
    func detailedExitCode(_ name: String, _ subcommand: String, _ arguments: [String], _ exitCode: Int64, _ expected: ReleaseKind) throws {
        let started = H.hook(
            .runStarted, Self.a, H.exact(0.5),
            details: [
                "run_id": "r1", "subcommand": .string(subcommand), "arguments": .array(arguments.map(JSONValue.string)),
            ])
        let hold = try #require(
            HoldDerivation.derive(
                History.events([
                    started, H.acquired(Self.a, H.exact(1)), H.released(Self.a, H.within(2, 3)),
                    H.hook(.runHeartbeat, nil, H.exact(4), details: ["run_id": "r1"]),
                    H.hook(.runFinished, nil, H.exact(5), details: ["run_id": "r1", "exit_code": .int(exitCode)]),
                ])
            ).holds.first)
        #expect(hold.releaseKind == expected, "\(name)")
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
        WhoCase(
            name: "inside the certain interval", steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6))],
            at: 3, lockID: a, certainty: "certain"),
        WhoCase(
            name: "inside the release bounds: uncertain", steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6))],
            at: 5.5, lockID: a, certainty: "possible"),
        WhoCase(
            name: "inside the acquire bounds: uncertain", steps: [H.acquired(a, H.within(0, 2))],
            at: 1, lockID: a, certainty: "possible"),
        WhoCase(
            name: "after the release: nobody", steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6))],
            at: 7, lockID: nil, certainty: nil),
        WhoCase(
            name: "release and next acquire in one scan interval: both candidates",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6)), H.acquired(b, H.within(5, 6))],
            at: 5.5, lockID: b, certainty: "possible", others: [a]),
        WhoCase(
            name: "still held, seen again by its source since: certain", steps: [H.acquired(a, H.exact(1)), H.written(H.within(99, 101))],
            at: 100, lockID: a, certainty: "certain"),
        WhoCase(
            name: "still held, but not observed since it appeared: possible", steps: [H.acquired(a, H.exact(1))],
            at: 100, lockID: a, certainty: "possible"),
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
        var candidates: [String]? = nil
        var testDescription: String { name }
    }

    static let lockFileHistory: [History.Step] = [
        H.version(.lockAcquired, "cccccccc-cccc-cccc-cccc-cccccccccccc", 0),
        H.version(.lockReleased, "cccccccc-cccc-cccc-cccc-cccccccccccc", 0.5),
    ]
    static let b = HoldDerivationTests.b
    static let s3Write: JSONValue = ["etag": "e", "serial": 5, "lineage": "L"]

    static let cases: [Case] = [
        Case(
            name: "write inside a certain hold: locked, certain",
            steps: [H.acquired(a, H.exact(1)), H.written(H.within(2, 3)), H.released(a, H.within(5, 6))], status: .locked, match: "certain"),
        Case(
            name: "write in the same scan as the release: ambiguous (the times do not prove the lock was held then)",
            steps: [H.acquired(a, H.exact(1)), H.written(H.within(5, 6)), H.released(a, H.within(5, 6))], status: .ambiguous,
            candidates: [a]),
        Case(
            name: "write in the scan where one hold ended and the next began: ambiguous, both candidates",
            steps: [H.acquired(a, H.exact(1)), H.released(a, H.within(5, 6)), H.acquired(b, H.within(5, 6)), H.written(H.within(5, 6))],
            status: .ambiguous, candidates: [a, b]),
        Case(
            name: "a hold seen only by its release fits any earlier write: ambiguous",
            steps: [H.written(H.within(1, 2)), H.released(a, H.within(5, 6))], status: .ambiguous, candidates: [a]),
        Case(
            name: "DynamoDB-only write with no lock seen: unknown (a lock could hide between scans)",
            steps: [H.written(H.within(5, 6))], status: .unknown),
        Case(
            name: "exact write, exact lock-file history, no hold: unlocked",
            steps: lockFileHistory + [H.written(H.exact(3), source: H.s3, mechanism: .s3State, details: s3Write)], status: .unlocked),
        Case(
            name: "exact write but no exact lock history for the state: unknown",
            steps: [H.written(H.exact(3), source: H.s3, mechanism: .s3State, details: s3Write)], status: .unknown),
        Case(
            name: "exact write before the exact lock history starts: unknown",
            steps: [H.written(H.exact(-3), source: H.s3, mechanism: .s3State, details: s3Write)] + lockFileHistory, status: .unknown),
        Case(
            name: "exact write inside a coverage gap: unknown",
            steps: lockFileHistory + [
                H.Step(
                    kind: .coverageGap, source: H.s3, time: H.exact(4), state: nil,
                    details: ["from": .string(H.at(2).rfc3339), "to": .string(H.at(4).rfc3339)]),
                H.written(H.exact(3), source: H.s3, mechanism: .s3State, details: s3Write),
            ], status: .unknown),
        Case(
            name: "S3 write under a lock-file hold, in other seconds: locked, certain",
            steps: lockFileHistory + [
                H.version(.lockAcquired, a, 1),
                H.written(H.exact(2), source: H.s3, mechanism: .s3State, details: s3Write),
                H.version(.lockReleased, a, 3),
            ], status: .locked, match: "certain", candidates: [a]),
        Case(
            name: "S3 write in the same second as a hold's acquire: ambiguous",
            steps: lockFileHistory + [
                H.version(.lockAcquired, a, 1),
                H.written(H.exact(1), source: H.s3, mechanism: .s3State, details: s3Write),
                H.version(.lockReleased, a, 3),
            ], status: .ambiguous, candidates: [a]),
        Case(
            name: "three applies in one second, the third with -lock=false: every write ambiguous",
            steps: lockFileHistory + [
                H.version(.lockAcquired, a, 1), H.written(H.exact(1), source: H.s3, mechanism: .s3State, details: s3Write),
                H.version(.lockReleased, a, 1), H.version(.lockAcquired, b, 1),
                H.written(H.exact(1), source: H.s3, mechanism: .s3State, details: s3Write),
                H.version(.lockReleased, b, 1),
                H.written(H.exact(1), source: H.s3, mechanism: .s3State, details: s3Write),
            ],
            status: .ambiguous, candidates: [a, b]),
        Case(
            name: "S3 write one second after the last hold's release: unlocked",
            steps: lockFileHistory + [
                H.version(.lockAcquired, a, 1), H.version(.lockReleased, a, 2),
                H.written(H.exact(2 + 1.0 / 60), source: H.s3, mechanism: .s3State, details: s3Write),
            ],
            status: .unlocked),
        Case(
            name: "lock files seen by listing (not version history) prove nothing absent: unknown",
            steps: [
                H.Step(
                    kind: .lockAcquired, source: H.s3, mechanism: .s3Lockfile, time: H.exact(0), lockID: a,
                    details: ["time_basis": "last_modified", "scan_not_after": .string(H.at(0.2).rfc3339)]),
                H.Step(
                    kind: .lockReleased, source: H.s3, mechanism: .s3Lockfile, time: H.within(0.2, 0.5), lockID: a,
                    details: ["scan_not_after": .string(H.at(0.5).rfc3339)]),
                H.written(H.exact(3), source: H.s3, mechanism: .s3State, details: s3Write),
            ], status: .unknown),
        Case(
            name: "version history, but the state also locks through DynamoDB: unknown",
            steps: lockFileHistory + [
                H.written(H.within(1, 2), details: ["digest": "d"]),
                H.written(H.exact(3), source: H.s3, mechanism: .s3State, details: s3Write),
            ], status: .unknown),
        Case(
            name: "baseline digest (written before watching): unknown",
            steps: [H.written(H.within(nil, 1), details: ["digest": "d", "baseline": true])], status: .unknown),
    ]

    @Test(arguments: cases)
    func write(_ c: Case) throws {
        let write = try #require(HoldDerivation.derive(History.events(c.steps)).writes.last)
        #expect(write.status == c.status, "\(write.reason)")
        #expect(write.match == c.match)
        #expect(!write.reason.isEmpty)
        if let candidates = c.candidates { #expect(write.candidates == candidates) }
        // A holder is named only when the write is locked; every other answer names none.
        #expect((write.lockID != nil) == (write.status == .locked))
    }

    /// A wrapped run's start (who, state) and end, as the wrapper reports them.
    static func started(_ run: String, _ minute: Double, who: String = "alice@h") -> History.Step {
        H.hook(.runStarted, nil, H.exact(minute), details: ["run_id": .string(run), "who": .string(who)])
    }
    static func finished(_ run: String, _ minute: Double, exitCode: Int64 = 0) -> History.Step {
        H.hook(.runFinished, nil, H.exact(minute), details: ["run_id": .string(run), "who": "alice@h", "exit_code": .int(exitCode)])
    }

    @Test(
        "a hold is the run's that, on the same state and by the same Who, was running when the lock was created",
        arguments: [
            ("the one run", [started("r1", -0.5), finished("r1", 3.5)], "r1"),
            ("another Who's run", [started("r1", -0.5, who: "bob@h"), finished("r1", 3.5)], nil),
            ("a run that ended before", [started("r1", -5), finished("r1", -4)], nil),
            ("a run that started after", [started("r1", 0.5)], nil),
            ("of two runs, the one still running then", [started("r1", -10), finished("r1", -9), started("r2", -0.2)], "r2"),
            (
                "a run blocked by it names it but did not take it",
                [H.hook(.lockContended, a, H.exact(2), details: ["run_id": "r9", "who": "bob@h"])], nil
            ),
        ] as [(String, [History.Step], String?)])
    func runOfHold(_ name: String, _ runSteps: [History.Step], _ expected: String?) throws {
        // The lock record says Created 05:00 (minute 0) and Who alice@h.
        let hold = try #require(
            HoldDerivation.derive(
                History.events(
                    runSteps + [H.acquired(Self.a, H.exact(1)), H.released(Self.a, H.within(2, 3))])
            ).holds.first, "\(name)")
        #expect(hold.runID == expected, "\(name)")
        if expected != nil { #expect(hold.evidence.contains { $0.note.contains("same state and Who") }, "\(name)") }
    }

    @Test("a lock file's failed release names no lock: it is about the lock its run took last")
    func namelessReleaseFailure() throws {
        let failure = { (run: String) in
            H.hook(.lockReleaseFailed, nil, H.exact(3), details: ["run_id": .string(run), "who": "alice@h", "message": "NoSuchKey"])
        }
        let steps = [
            Self.started("r1", -0.5), Self.started("r2", -0.4, who: "bob@h"),
            H.acquired(Self.a, H.exact(1), source: H.s3, mechanism: .s3Lockfile),
            H.released(Self.a, H.exact(2), source: H.s3, mechanism: .s3Lockfile),
        ]
        let forced = try #require(HoldDerivation.derive(History.events(steps + [failure("r1")])).holds.first)
        #expect(forced.releaseKind == .forced)
        #expect(forced.evidence.contains { $0.note.contains("failed to release its lock") })
        let otherRun = try #require(HoldDerivation.derive(History.events(steps + [failure("r2")])).holds.first)
        #expect(otherRun.releaseKind == .released)
    }

    @Test("a heartbeat of a run matched only by state, Who and time proves no force: it may have been waiting for the lock")
    func aliveButOnlyMatchedByTime() throws {
        let steps = [
            Self.started("r1", -0.5), H.acquired(Self.a, H.exact(1)), H.released(Self.a, H.within(2, 3)),
            H.hook(.runHeartbeat, nil, H.exact(4), details: ["run_id": "r1", "who": "alice@h"]), Self.finished("r1", 5, exitCode: 1),
        ]
        let hold = try #require(HoldDerivation.derive(History.events(steps)).holds.first)
        #expect(hold.runID == "r1")
        #expect(hold.releaseKind == .released)
    }

    @Test("a heartbeat after the lock went is no evidence of force when the run then succeeded")
    func aliveButSucceeded() throws {
        let steps = [
            H.hook(.runStarted, Self.a, H.exact(-0.5), details: ["run_id": "r1", "who": "alice@h"]),
            H.acquired(Self.a, H.exact(1)), H.released(Self.a, H.within(2, 3)),
            H.hook(.runHeartbeat, nil, H.exact(4), details: ["run_id": "r1", "who": "alice@h"]),
        ]
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
        let writes = HoldDerivation.derive(
            History.events([
                H.written(H.within(5, 6), details: ["digest": .string(Self.md5A)]),
                H.written(
                    H.exact(5.5), source: H.s3, mechanism: .s3State,
                    details: ["etag": .string(Self.md5A), "version_id": "v1", "serial": 7, "lineage": "L"]),
            ])
        ).writes
        let write = try #require(writes.first)
        #expect(writes.count == 1)
        #expect(write.time == H.second(5.5))
        #expect(write.time.precision == "second")
        #expect(write.source == H.s3)
        #expect(write.sources == [H.s3, H.ddb])
        #expect(write.digest == Self.md5A && write.etag == Self.md5A && write.serial == 7)
        #expect(write.evidence.map(\.seq) == [2, 1])
        #expect(write.json["sources"] == [.string(H.s3), .string(H.ddb)])
    }

    @Test("other bytes, a far-away time or a multipart ETag: separate writes")
    func notTheSameUpload() {
        let differentBytes = HoldDerivation.derive(
            History.events([
                H.written(H.within(5, 6), details: ["digest": .string(Self.md5A)]),
                H.written(H.exact(5.5), source: H.s3, mechanism: .s3State, details: ["etag": .string(Self.md5B)]),
            ])
        ).writes
        #expect(differentBytes.count == 2)
        let farApart = HoldDerivation.derive(
            History.events([
                H.written(H.within(5, 6), details: ["digest": .string(Self.md5A)]),
                H.written(H.exact(30), source: H.s3, mechanism: .s3State, details: ["etag": .string(Self.md5A)]),
            ])
        ).writes
        #expect(farApart.count == 2)
        let multipart = HoldDerivation.derive(
            History.events([
                H.written(H.within(5, 6), details: ["digest": .string(Self.md5A)]),
                H.written(H.exact(5.5), source: H.s3, mechanism: .s3State, details: ["etag": .string(Self.md5A + "-2")]),
            ])
        ).writes
        #expect(multipart.count == 2)
        #expect(multipart.allSatisfy { $0.sources.count == 1 })
    }

    @Test("the same bytes written twice (a state put back): each digest pairs with its own upload")
    func sameBytesTwice() {
        let writes = HoldDerivation.derive(
            History.events([
                H.written(H.exact(1), source: H.s3, mechanism: .s3State, details: ["etag": .string(Self.md5A), "version_id": "v1"]),
                H.written(H.within(0.5, 1.5), details: ["digest": .string(Self.md5A)]),
                H.written(H.exact(10), source: H.s3, mechanism: .s3State, details: ["etag": .string(Self.md5A), "version_id": "v2"]),
                H.written(H.within(9.5, 10.5), details: ["digest": .string(Self.md5A)]),
            ])
        ).writes
        #expect(writes.map(\.versionID) == ["v1", "v2"])
        #expect(writes.allSatisfy { $0.sources == [H.s3, H.ddb] })
    }

    @Test func serialRegressionAndLineageChange() {
        let writes = HoldDerivation.derive(
            History.events([
                H.written(H.exact(1), source: H.s3, mechanism: .s3State, details: ["serial": 5, "lineage": "L1"]),
                H.written(H.exact(3), source: H.s3, mechanism: .s3State, details: ["serial": 4, "lineage": "L1"]),
                // Backfilled late: time order, not log order, decides what "previous" is.
                H.written(H.exact(2), source: H.s3, mechanism: .s3State, details: ["serial": 6, "lineage": "L2"]),
            ])
        ).writes
        #expect(writes.map(\.serialRegression) == [false, true, false])
        #expect(writes.map(\.lineageChanged) == [false, true, true])
        #expect(writes[1].previousSerial == 6)
        #expect(writes[2].previousLineage == "L1")
    }
}
