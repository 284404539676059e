/// The rules of `locktrail unlock`, a guarded and recorded force-unlock, as pure functions of
/// what was observed (the lock's sightings in the log, its holders read from AWS just now, the
/// live wrapped runs, the time) and the options. The command does the I/O and the printing.
public struct UnlockPolicy: Hashable, Sendable {
    /// The state, by its lock path.
    public var state: String
    /// The lock ID to remove.
    public var lockID: String
    /// Why: recorded with every attempt.
    public var reason: String
    /// Who asks (`user@host`): recorded with every attempt.
    public var actor: String
    /// `--dynamodb-table`: where the DynamoDB lock is, if given.
    public var dynamoDBTable: String?
    /// `--lockfile`: check the S3 lock file even if locktrail never saw one.
    public var lockfile: Bool
    /// Locks younger than this many seconds are refused.
    public var minAge: Double
    /// `--min-age` as given (`15m`), for the refusal's message.
    public var minAgeText: String
    /// A run heard from within this many seconds is alive.
    public var aliveWithin: Double
    /// `--force`: remove even a young lock or one whose run is alive.
    public var force: Bool
    /// `--dry-run`: decide and show, change nothing.
    public var dryRun: Bool

    /// The policy for one invocation.
    public init(
        state: String, lockID: String, reason: String, actor: String, dynamoDBTable: String? = nil, lockfile: Bool = false,
        minAge: Double, minAgeText: String? = nil, aliveWithin: Double, force: Bool = false, dryRun: Bool = false
    ) {
        self.state = state
        self.lockID = lockID
        self.reason = reason
        self.actor = actor
        self.dynamoDBTable = dynamoDBTable
        self.lockfile = lockfile
        self.minAge = minAge
        self.minAgeText = minAgeText ?? Self.describe(minAge)
        self.aliveWithin = aliveWithin
        self.force = force
        self.dryRun = dryRun
    }

    /// Where to look for the lock: the DynamoDB table (given, or where locktrail saw it) and
    /// whether to read the lock file (asked for, or locktrail saw one). `sightings` come newest
    /// first; a lock ID belongs to the state it was first seen on.
    public func lookup(sightings: [LockSighting]) -> UnlockLookup {
        if let seen = sightings.last?.state, seen != state { return .seenOnAnotherState(seen) }
        let table = dynamoDBTable ?? sightings.first { $0.mechanism == .dynamodb }?.table
        let useLockfile = lockfile || sightings.contains { $0.mechanism == .s3Lockfile }
        return table != nil || useLockfile ? .check(table: table, lockfile: useLockfile) : .unknown
    }

    /// Runs heard from since this time are alive (their own heartbeat intervals may stretch it).
    public func aliveSince(now: Timestamp) -> Timestamp { now.adding(seconds: -aliveWithin) }

    /// Decides from the lock as every checked mechanism holds it now and the live runs on the state.
    public func decide(holders: [UnlockHolder], liveRuns: [LiveRun], now: Timestamp) -> UnlockDecision {
        guard let holder = holders.first else {
            return .notFound(event: event(.notFound, mechanisms: [], holder: nil, note: nil, at: now))
        }
        if let other = holders.first(where: { $0.record.id != lockID })?.record {
            return .heldByOther(other: other, event: event(.heldByOther, mechanisms: [], holder: other, note: nil, at: now))
        }
        let age = holder.record.created.map { now.secondsSinceEpoch - $0.secondsSinceEpoch }
        // A run that names no holder may be this lock's: it counts as alive too.
        let alive = liveRuns.filter { $0.who == nil || $0.who == holder.record.who }
        var refusal: String?
        if let age, age < minAge { refusal = "the lock is only \(Self.describe(age)) old (under --min-age \(minAgeText))" }
        if !alive.isEmpty { refusal = "its holder's run is still alive" }
        let assessment = UnlockAssessment(holder: holder, holders: holders, age: age, liveRuns: alive, refusal: refusal)
        if let refusal, !force {
            return .refuse(
                assessment, reason: refusal,
                event: event(.refused, mechanisms: assessment.mechanisms, holder: holder.record, note: refusal, at: now))
        }
        return dryRun ? .dryRun(assessment) : .remove(assessment)
    }

    /// The event that records a removal: `removed` from every mechanism, or `changed` when one
    /// changed meanwhile (`removed` lists the mechanisms it was already removed from).
    public func removalEvent(_ assessment: UnlockAssessment, removed: [Mechanism], changed: Bool, at now: Timestamp) -> Event {
        changed
            ? event(.changed, mechanisms: removed, holder: assessment.holder.record, note: nil, at: now)
            : event(
                .removed, mechanisms: removed, holder: assessment.holder.record,
                note: assessment.refusal.map { "forced past: \($0)" }, at: now)
    }

    /// The `lock.force_unlocked` event of an attempt.
    func event(_ outcome: UnlockOutcome, mechanisms: [Mechanism], holder: LockRecord?, note: String?, at now: Timestamp) -> Event {
        let details = UnlockAttemptDetails(
            actor: actor, reason: reason, outcome: outcome, mechanisms: mechanisms, forced: force,
            holder: holder, note: note)
        return Event(
            key: "unlock|\(lockID)|\(now.microseconds)", kind: .lockForceUnlocked, source: "locktrail-unlock", mechanism: nil,
            time: .exact(now), observedAt: now, lockID: lockID, state: state,
            workspace: StateIdentity(lockPath: state)?.workspace, details: details)
    }

    /// `90s`, `15m`, `3h`, `2d`: an age as people read it.
    public static func describe(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: return "\(Int(seconds))s"
        case ..<7200: return "\(Int(seconds / 60))m"
        case ..<172_800: return "\(Int(seconds / 3600))h"
        default: return "\(Int(seconds / 86400))d"
        }
    }
}
