/// The details of the maintenance-lock kinds `locktrail lock` and the collector record: the lock
/// taken (its record, where, until when), a refusal (what held the state), and its end (released
/// or expired: which mechanisms it was removed from, which no longer held it).
public struct MaintenanceDetails: EventDetails, Hashable {
    /// The members, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case actor, reason, created, record, table, region, lockfile, mechanisms, tool, holder, removed, gone
        case expiresAt = "expires_at", ttlSeconds = "ttl_seconds", blockedBy = "blocked_by"
    }

    public static let kinds: [EventKind] = [.maintenanceLocked, .maintenanceRefused, .maintenanceReleased, .maintenanceExpired]

    public let object: [String: JSONValue]

    private init(_ d: DetailsObject<Member>) { object = d.object }

    /// `lock.maintenance_locked`: `lock` is in place in every mechanism of `target`.
    public static func locked(_ lock: MaintenanceLock, target: MaintenanceTarget, ttl: Double) -> MaintenanceDetails {
        var d = DetailsObject<Member>()
        d[.actor] = .string(lock.actor)
        d[.reason] = .string(lock.reason)
        d[.created] = .string(lock.created.rfc3339)
        d[.expiresAt] = .string(lock.expires.rfc3339)
        d[.record] = .string(lock.record)
        d[.table] = .optional(target.table)
        d[.region] = .optional(target.region)
        d[.lockfile] = .bool(target.lockfile)
        d[.mechanisms] = .array(target.mechanisms.map(JSONValue.string))
        d[.tool] = "locktrail lock"
        d[.ttlSeconds] = .number(ttl)
        return MaintenanceDetails(d)
    }

    /// `lock.maintenance_refused`: the state was held (by `holder`, when its record was read) in `mechanism`.
    public static func refused(
        actor: String, reason: String, blockedBy mechanism: String, target: MaintenanceTarget,
        holder: LockRecord?
    ) -> MaintenanceDetails {
        var d = DetailsObject<Member>()
        d[.actor] = .string(actor)
        d[.reason] = .string(reason)
        d[.blockedBy] = .string(mechanism)
        d[.mechanisms] = .array(target.mechanisms.map(JSONValue.string))
        d[.tool] = "locktrail lock"
        d.setIfPresent(.holder, holder.map { .object($0.eventDetails.merging(["id": .string($0.id)]) { a, _ in a }) })
        return MaintenanceDetails(d)
    }

    /// `lock.maintenance_released` (by `actor`) or `lock.maintenance_expired` (by the collector
    /// source `actor`) of `lock`.
    public static func ended(expired: Bool, lock: MaintenanceLock, by actor: String, removed: [String], gone: [String]) -> MaintenanceDetails {
        var d = DetailsObject<Member>()
        d[.actor] = .string(actor)
        d[.reason] = .string(lock.reason)
        d[.removed] = .array(removed.map(JSONValue.string))
        d[.gone] = .array(gone.map(JSONValue.string))
        d[.expiresAt] = .string(lock.expires.rfc3339)
        d[.tool] = .string(expired ? "locktrail collect" : "locktrail lock --release")
        return MaintenanceDetails(d)
    }
}
