import LocktrailCore
import Testing

/// The rules of `locktrail unlock`, without AWS or PostgreSQL.
@Suite("Unlock policy")
struct UnlockPolicyTests {
    static let lockID = "92bb70ae-528b-cd4d-9875-3dfa350c0efa"
    static let otherID = "00000000-0000-0000-0000-000000000000"
    static let state = "corp-state/env:/staging/network/terraform.tfstate"
    /// The lock's `Created`; `now` is `minutes` later.
    static let created = Timestamp(parsing: "2026-11-23T00:00:00Z")!
    static func now(minutes: Double) -> Timestamp { created.adding(seconds: 60 * minutes) }

    static func holder(_ mechanism: String, id: String = lockID, who: String = "alice@ci") -> UnlockHolder {
        let raw =
            #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"\#(who)","Version":"1.9.8","Created":"2026-11-23T00:00:00Z","Path":"\#(state)"}"#
        return UnlockHolder(mechanism: Mechanism(rawValue: mechanism)!, record: LockRecordParse.parse(Array(raw.utf8)).record!, raw: raw)
    }

    static func policy(force: Bool = false, dryRun: Bool = false, table: String? = nil, lockfile: Bool = false) -> UnlockPolicy {
        UnlockPolicy(
            state: state, lockID: lockID, reason: "apply killed", actor: "bob@laptop", dynamoDBTable: table, lockfile: lockfile,
            minAge: 15 * 60, minAgeText: "15m", aliveWithin: 120, force: force, dryRun: dryRun)
    }

    /// What a decision amounts to, for comparing with a table.
    enum Verdict: Equatable {
        case notFound, heldByOther(String), refused(String), dryRun([String]), remove([String], refusal: String?)
    }

    static func verdict(_ d: UnlockDecision) -> Verdict {
        switch d {
        case .notFound: return .notFound
        case .heldByOther(let other, _): return .heldByOther(other.id)
        case .refuse(_, let reason, _): return .refused(reason)
        case .dryRun(let a): return .dryRun(a.removalOrder.map(\.rawValue))
        case .remove(let a): return .remove(a.removalOrder.map(\.rawValue), refusal: a.refusal)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var holders: [UnlockHolder]
        var runs: [LiveRun] = []
        var minutes: Double = 60
        var force = false
        var dryRun = false
        var expected: Verdict
        var testDescription: String { name }
    }

    static let young = "the lock is only 5m old (under --min-age 15m)"
    static let alive = "its holder's run is still alive"
    static let run = LiveRun(runID: "r1", who: "alice@ci", lastSeen: created)

    static let cases: [Case] = [
        Case(name: "no mechanism holds a lock", holders: [], expected: .notFound),
        Case(name: "DynamoDB holds another lock ID", holders: [holder("dynamodb", id: otherID)], expected: .heldByOther(otherID)),
        Case(
            name: "the lock file holds another ID than DynamoDB", holders: [holder("dynamodb"), holder("s3-lockfile", id: otherID)],
            expected: .heldByOther(otherID)),
        Case(name: "an old lock with no live run is removed", holders: [holder("dynamodb")], expected: .remove(["dynamodb"], refusal: nil)),
        Case(
            name: "both mechanisms: lock file first, as terraform releases", holders: [holder("dynamodb"), holder("s3-lockfile")],
            expected: .remove(["s3-lockfile", "dynamodb"], refusal: nil)),
        Case(name: "a young lock is refused", holders: [holder("dynamodb")], minutes: 5, expected: .refused(young)),
        Case(name: "exactly --min-age old is old enough", holders: [holder("dynamodb")], minutes: 15, expected: .remove(["dynamodb"], refusal: nil)),
        Case(name: "its holder's run is alive", holders: [holder("dynamodb")], runs: [run], expected: .refused(alive)),
        Case(name: "alive outweighs young", holders: [holder("dynamodb")], runs: [run], minutes: 5, expected: .refused(alive)),
        Case(
            name: "a run of someone else does not count", holders: [holder("dynamodb")],
            runs: [LiveRun(runID: "r2", who: "carol@ci", lastSeen: created)], expected: .remove(["dynamodb"], refusal: nil)),
        Case(
            name: "a run that names no holder counts", holders: [holder("dynamodb")],
            runs: [LiveRun(runID: "r3", who: nil, lastSeen: nil)], expected: .refused(alive)),
        Case(
            name: "--force removes a young lock and says what it forced past", holders: [holder("s3-lockfile")], minutes: 5, force: true,
            expected: .remove(["s3-lockfile"], refusal: young)),
        Case(name: "--dry-run of a removable lock", holders: [holder("dynamodb")], dryRun: true, expected: .dryRun(["dynamodb"])),
        Case(name: "--dry-run still refuses", holders: [holder("dynamodb")], minutes: 5, dryRun: true, expected: .refused(young)),
    ]

    @Test("decides from the holders, the live runs and the time", arguments: cases)
    func decide(_ c: Case) {
        let decision = Self.policy(force: c.force, dryRun: c.dryRun).decide(holders: c.holders, liveRuns: c.runs, now: Self.now(minutes: c.minutes))
        #expect(Self.verdict(decision) == c.expected)
    }

    @Test(
        "what is recorded when the attempt stops at the decision",
        arguments: [
            (Case(name: "not found", holders: [], expected: .notFound), UnlockOutcome.notFound, [String](), nil as String?, nil as String?),
            (
                Case(name: "held by other", holders: [holder("dynamodb", id: otherID, who: "carol@ci")], expected: .notFound), .heldByOther, [],
                "carol@ci", nil
            ),
            (
                Case(name: "refused", holders: [holder("dynamodb"), holder("s3-lockfile")], minutes: 5, expected: .notFound), .refused,
                ["dynamodb", "s3-lockfile"], "alice@ci", young
            ),
        ])
    func recordedAtDecision(_ c: Case, outcome: UnlockOutcome, mechanisms: [String], holderWho: String?, note: String?) throws {
        let now = Self.now(minutes: c.minutes)
        let decision = Self.policy().decide(holders: c.holders, liveRuns: c.runs, now: now)
        #expect(decision.outcome == outcome)
        let event: Event
        switch decision {
        case .notFound(let e), .heldByOther(_, let e), .refuse(_, _, let e): event = e
        case .dryRun, .remove: Issue.record("expected a recorded outcome"); return
        }
        #expect(event.kind == .lockForceUnlocked)
        #expect(event.key == "unlock|\(Self.lockID)|\(now.microseconds)")
        #expect(event.lockID == Self.lockID)
        #expect(event.state == Self.state)
        #expect(event.workspace == "staging")
        #expect(event.source == "locktrail-unlock")
        #expect(event.time == .exact(now))
        #expect(event.details["outcome"]?.stringValue == outcome.rawValue)
        #expect(event.details["mechanisms"] == .array(mechanisms.map(JSONValue.string)))
        #expect(event.details["holder"]?["who"]?.stringValue == holderWho)
        #expect(event.details["note"]?.stringValue == note)
        #expect(event.details["actor"] == "bob@laptop")
        #expect(event.details["reason"] == "apply killed")
        #expect(event.details["forced"] == false)
        #expect(event.details["tool"] == "locktrail unlock")
    }

    @Test(
        "a removal records what was removed, or that the lock changed meanwhile",
        arguments: [
            (false, ["s3-lockfile", "dynamodb"], UnlockOutcome.removed, true),
            (true, ["s3-lockfile"], UnlockOutcome.changed, false),
        ])
    func removalEvent(changed: Bool, removed: [String], outcome: UnlockOutcome, hasNote: Bool) throws {
        let policy = Self.policy(force: true)
        guard
            case .remove(let assessment) = policy.decide(
                holders: [Self.holder("dynamodb"), Self.holder("s3-lockfile")], liveRuns: [], now: Self.now(minutes: 5))
        else {
            Issue.record("a forced young lock is removed")
            return
        }
        let event = policy.removalEvent(assessment, removed: removed.map { Mechanism(rawValue: $0)! }, changed: changed, at: Self.now(minutes: 6))
        #expect(event.details["outcome"]?.stringValue == outcome.rawValue)
        #expect(event.details["mechanisms"] == .array(removed.map(JSONValue.string)))
        #expect(event.details["forced"] == true)
        #expect(event.details["note"]?.stringValue == (hasNote ? "forced past: \(Self.young)" : nil))
        #expect(event.details["holder"]?["who"]?.stringValue == "alice@ci")
    }

    @Test(
        "where to look: the given table, or where the lock was seen; never on another state",
        arguments: [
            ([LockSighting](), nil as String?, false, UnlockLookup.unknown),
            ([], "locks", false, .check(table: "locks", lockfile: false)),
            ([], nil, true, .check(table: nil, lockfile: true)),
            ([LockSighting(mechanism: .dynamodb, table: "seen", state: state)], nil, false, .check(table: "seen", lockfile: false)),
            ([LockSighting(mechanism: .dynamodb, table: "seen")], "given", false, .check(table: "given", lockfile: false)),
            ([LockSighting(mechanism: .s3Lockfile, table: nil, state: state)], nil, false, .check(table: nil, lockfile: true)),
            ([LockSighting(mechanism: .hook, table: nil)], nil, false, .unknown),
            // Newest first: the state it was first seen on decides.
            (
                [LockSighting(mechanism: .dynamodb, table: "t", state: state), LockSighting(mechanism: .dynamodb, table: "t", state: "other/key")],
                "t", true, .seenOnAnotherState("other/key")
            ),
            (
                [LockSighting(mechanism: .dynamodb, table: "t", state: "other/key"), LockSighting(mechanism: .dynamodb, table: "t", state: state)],
                nil, false, .check(table: "t", lockfile: false)
            ),
        ])
    func lookup(sightings: [LockSighting], table: String?, lockfile: Bool, expected: UnlockLookup) {
        #expect(Self.policy(table: table, lockfile: lockfile).lookup(sightings: sightings) == expected)
    }

    @Test(
        "exit codes as documented",
        arguments: [
            (UnlockOutcome.removed, Int32(0)), (.refused, 2), (.notFound, 3), (.heldByOther, 3), (.changed, 3),
        ])
    func exitCodes(outcome: UnlockOutcome, code: Int32) {
        #expect(outcome.exitCode == code)
    }

    @Test("live runs count from --alive-within before now")
    func aliveSince() {
        #expect(Self.policy().aliveSince(now: Self.now(minutes: 10)) == Self.now(minutes: 8))
    }
}
