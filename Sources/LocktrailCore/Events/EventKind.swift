/// What an event says happened. Closed: locktrail writes only the kinds declared here, each in
/// `registry` (docs/events.md is checked against it), and only the core declares kinds. A kind
/// read back from the log, or one a hook reported of its own (`run.*`, `lock.*`), is taken by
/// name with `EventKind(named:)`: the log keeps whatever it was given.
public struct EventKind: Hashable, Sendable, CustomStringConvertible {
    /// The kind's name, e.g. `lock.acquired`.
    public let rawValue: String

    /// A kind of locktrail's own: add it to `registry` and to docs/events.md.
    init(_ rawValue: String) { self.rawValue = rawValue }

    /// The registered kind called `name`, or nil.
    public init?(registered name: String) {
        guard let kind = Self.byName[name] else { return nil }
        self = kind
    }

    /// The kind called `name`: a registered one, or one the log holds or a hook reported that
    /// locktrail does not write itself (kept, never interpreted).
    public init(named name: String) { self = Self.byName[name] ?? EventKind(name) }

    /// Whether locktrail writes this kind itself (it is in `registry`).
    public var isRegistered: Bool { Self.byName[rawValue] != nil }

    public var description: String { rawValue }

    /// A lock appeared (DynamoDB item, lock file, lock-file version).
    public static let lockAcquired = EventKind("lock.acquired")
    /// A lock disappeared (item gone, lock file gone, delete marker).
    public static let lockReleased = EventKind("lock.released")
    /// A state object was written (digest new or changed, state ETag or version).
    public static let stateWritten = EventKind("state.written")
    /// A lock table or bucket the source watches does not exist (one event, not N releases).
    public static let sourceTableMissing = EventKind("source.table_missing")
    /// A lock table that was missing exists again.
    public static let sourceTableRestored = EventKind("source.table_restored")
    /// A period in which a source did not observe: history may be missing there.
    public static let coverageGap = EventKind("source.coverage_gap")
    /// A state's `-md5` digest item disappeared from the lock table (the workspace was deleted).
    public static let stateDigestRemoved = EventKind("state.digest_removed")
    /// Something a source saw that is not a lock record or digest; kept raw with the reason.
    public static let observationUnparsed = EventKind("observation.unparsed")
    /// A run was blocked by another holder's lock.
    public static let lockContended = EventKind("lock.contended")
    /// A lock was removed by force-unlock (terraform's, or `locktrail unlock`).
    public static let lockForceUnlocked = EventKind("lock.force_unlocked")
    /// A holder failed to release its lock (evidence it was removed by someone else).
    public static let lockReleaseFailed = EventKind("lock.release_failed")
    /// A wrapped terraform run started.
    public static let runStarted = EventKind("run.started")
    /// A wrapped run is still alive.
    public static let runHeartbeat = EventKind("run.heartbeat")
    /// A wrapped run finished.
    public static let runFinished = EventKind("run.finished")
    /// `locktrail lock` wrote a maintenance lock (terraform refuses every run on the state).
    public static let maintenanceLocked = EventKind("lock.maintenance_locked")
    /// `locktrail lock` found the state held by another lock and took nothing.
    public static let maintenanceRefused = EventKind("lock.maintenance_refused")
    /// `locktrail lock --release` removed a maintenance lock.
    public static let maintenanceReleased = EventKind("lock.maintenance_released")
    /// The collector that owns the source removed a maintenance lock whose TTL ran out.
    public static let maintenanceExpired = EventKind("lock.maintenance_expired")

    /// Every kind locktrail writes: the one registry (docs/events.md is checked against it).
    public static let registry: [EventKind] = [
        .lockAcquired, .lockReleased, .stateWritten, .sourceTableMissing, .sourceTableRestored, .coverageGap,
        .stateDigestRemoved, .observationUnparsed, .lockContended, .lockForceUnlocked, .lockReleaseFailed,
        .runStarted, .runHeartbeat, .runFinished,
        .maintenanceLocked, .maintenanceRefused, .maintenanceReleased, .maintenanceExpired,
    ]

    /// The kinds whose events concern no single state but can change the records of many: the
    /// derivation of any one state needs them all. The one list: the derivation filters by it
    /// and the store passes it to its queries (`derivation_touched`, `derivation_events_of_states`).
    public static let concernsEveryState: [EventKind] = [.coverageGap, .sourceTableMissing, .sourceTableRestored]

    /// Whether this is a run's kind (`run.*`): its events belong to a run by `run_id`.
    public var isRunKind: Bool { rawValue.hasPrefix("run.") }

    private static let byName: [String: EventKind] = Dictionary(uniqueKeysWithValues: registry.map { ($0.rawValue, $0) })
}
