/// The rules of `locktrail lock`, pure functions of the options, what the log says about the
/// state and the time; the command does the AWS calls and the printing.
public struct MaintenancePolicy: Hashable, Sendable {
    /// The state, by its lock path.
    public var state: String
    /// Why the state is frozen: terraform prints it in every refusal.
    public var reason: String
    /// Who asks (`user@host`): the record's `Who`.
    public var actor: String
    /// Seconds until the owning collector removes the lock.
    public var ttl: Double
    /// `--dynamodb-table`, if given.
    public var dynamoDBTable: String?
    /// `--lockfile`: use the S3 lock file even if locktrail never saw one.
    public var lockfile: Bool
    /// The region the command's AWS settings name (recorded so the owning source is known).
    public var region: String?

    /// The policy for one invocation.
    public init(
        state: String, reason: String, actor: String, ttl: Double, dynamoDBTable: String? = nil, lockfile: Bool = false,
        region: String? = nil
    ) {
        (self.state, self.reason, self.actor, self.ttl) = (state, reason, actor, ttl)
        (self.dynamoDBTable, self.lockfile, self.region) = (dynamoDBTable, lockfile, region)
    }

    /// Where to write the lock: the options, else every mechanism locktrail saw the state use
    /// (its DynamoDB digest or lock items, its lock file). Nil when neither says.
    public func target(sightings: [StateSighting]) -> MaintenanceTarget? {
        let seenTable = sightings.first { $0.mechanism == "dynamodb" && $0.resolvedTable != nil }
        let table = dynamoDBTable ?? seenTable?.resolvedTable
        let region = dynamoDBTable == nil ? (seenTable?.region ?? self.region) : self.region
        let useLockfile = lockfile || (dynamoDBTable == nil && sightings.contains { $0.mechanism == "s3-lockfile" })
        guard table != nil || useLockfile else { return nil }
        return MaintenanceTarget(table: table, region: region, lockfile: useLockfile)
    }

    /// The lock to write now.
    public func lock(now: Timestamp, randomBytes: [UInt8]) -> MaintenanceLock {
        MaintenanceLock(state: state, reason: reason, actor: actor, created: now, expires: now.adding(seconds: ttl), randomBytes: randomBytes)
    }

    /// `maintenance.locked`: the lock is in place in every mechanism of `target`.
    public func lockedEvent(_ lock: MaintenanceLock, target: MaintenanceTarget, at now: Timestamp) -> Event {
        MaintenanceEvents.event(
            .maintenanceLocked, lockID: lock.id, state: state,
            details: MaintenanceDetails.locked(lock, target: target, ttl: ttl).object, at: now)
    }

    /// `maintenance.refused`: the state was held by another lock, so nothing was taken (a lock
    /// file written first is removed again).
    public func refusedEvent(target: MaintenanceTarget, holder: LockRecord?, mechanism: String, at now: Timestamp) -> Event {
        let details = MaintenanceDetails.refused(actor: actor, reason: reason, blockedBy: mechanism, target: target, holder: holder)
        return MaintenanceEvents.event(.maintenanceRefused, lockID: holder?.id, state: state, details: details.object, at: now)
    }
}

/// A maintenance lock the log says is in place: its `maintenance.locked` event has no later
/// `maintenance.released` or `maintenance.expired`.
public struct OpenMaintenanceLock: Hashable, Sendable {
    /// The lock.
    public var lock: MaintenanceLock
    /// Where it was written.
    public var target: MaintenanceTarget
    /// The record's exact bytes (a release removes only these).
    public var record: String

    /// `lock`, just written to `target`.
    public init(lock: MaintenanceLock, target: MaintenanceTarget) {
        (self.lock, self.target, self.record) = (lock, target, lock.record)
    }

    /// The lock of a `maintenance.locked` event's details; nil when they are not one.
    public init?(details: JSONValue, lockID: String, state: String) {
        guard let reason = details["reason"]?.stringValue, let actor = details["actor"]?.stringValue,
            let created = details["created"]?.stringValue.flatMap(Timestamp.init(parsing:)),
            let expires = details["expires_at"]?.stringValue.flatMap(Timestamp.init(parsing:)),
            let record = details["record"]?.stringValue
        else { return nil }
        lock = MaintenanceLock(id: lockID, state: state, reason: reason, actor: actor, created: created, expires: expires)
        target = MaintenanceTarget(
            table: details["table"]?.stringValue, region: details["region"]?.stringValue,
            lockfile: details["lockfile"] == .bool(true))
        self.record = record
    }

    /// Whether its TTL has run out at `now`.
    public func isExpired(at now: Timestamp) -> Bool { lock.expires <= now }

    /// `maintenance.released` (by `actor`) or `maintenance.expired` (by the collector `source`):
    /// which mechanisms it was removed from, and which no longer held this record.
    public func endEvent(_ kind: EventKind, by actor: String, removed: [String], gone: [String], at now: Timestamp) -> Event {
        let details = MaintenanceDetails.ended(expired: kind == .maintenanceExpired, lock: lock, by: actor, removed: removed, gone: gone)
        return MaintenanceEvents.event(kind, lockID: lock.id, state: lock.state, details: details.object, at: now)
    }
}

enum MaintenanceEvents {
    static func event(_ kind: EventKind, lockID: String?, state: String, details: [String: JSONValue], at now: Timestamp) -> Event {
        Event(
            key: "maintenance|\(kind.rawValue)|\(lockID ?? "-")|\(now.microseconds)", kind: kind, source: "locktrail-lock", mechanism: nil,
            time: .exact(now), observedAt: now, lockID: lockID, state: state,
            workspace: StateIdentity(lockPath: state)?.workspace, details: .object(details))
    }
}
