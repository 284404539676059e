import LocktrailCore
import Testing

@Suite("Maintenance lock records and policy")
struct MaintenanceRecordTests {
    static let created = Timestamp(parsing: "2026-12-01T12:00:00Z")!
    static let lock = MaintenanceLock(
        state: "b/app/terraform.tfstate", reason: "freeze \"INC-1\" <db> & co", actor: "alice@ops",
        created: created, expires: created.adding(seconds: 7200), randomBytes: Array(0..<16))

    @Test("the record is terraform's: field order, compact, Go's escaping, parseable, a terraform lock ID")
    func record() throws {
        let record = Self.lock.record
        #expect(
            record.hasPrefix(
                #"{"ID":"00010203-0405-0607-0809-0a0b0c0d0e0f","Operation":"locktrail-maintenance","Info":"freeze \"INC-1\" \u003cdb\u003e \u0026 co (maintenance lock by alice@ops"#
            ))
        #expect(
            record.hasSuffix(
                #","Who":"alice@ops","Version":"\#(LocktrailVersion.current)","Created":"2026-12-01T12:00:00.000000Z","Path":"b/app/terraform.tfstate"}"#
            ))
        let parsed = try #require(LockRecordParse.parse(Array(record.utf8)).record)
        #expect(parsed.id == Self.lock.id && parsed.operation == MaintenanceLock.operation && parsed.path == "b/app/terraform.tfstate")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(LockRecordParse.isTerraformLockID(parsed.id))
        let mark = try #require(MaintenanceLock.mark(operation: parsed.operation, info: parsed.info))
        #expect(mark.reason == "freeze \"INC-1\" <db> & co")
        #expect(mark.expires == Self.created.adding(seconds: 7200))
        #expect(MaintenanceLock.mark(operation: "OperationTypeApply", info: parsed.info) == nil)
    }

    @Test("the target: options first, else the mechanisms the state was seen with")
    func target() {
        let seen = [
            StateSighting(mechanism: "dynamodb", source: "dynamodb:eu-west-1/locks", table: nil),
            StateSighting(mechanism: "s3-lockfile", source: "s3:b", table: nil),
        ]
        let policy = MaintenancePolicy(state: "b/app/terraform.tfstate", reason: "r", actor: "a", ttl: 60)
        #expect(policy.target(sightings: seen) == MaintenanceTarget(table: "locks", region: "eu-west-1", lockfile: true))
        #expect(policy.target(sightings: []) == nil)
        var named = policy
        named.dynamoDBTable = "other"
        #expect(named.target(sightings: seen) == MaintenanceTarget(table: "other", region: nil, lockfile: false))
    }

    @Test(
        "which collector source removes it at expiry",
        arguments: [
            ("dynamodb:eu-west-1/locks", true), ("dynamodb:us-east-1/locks", false), ("dynamodb:eu-west-1/other", false),
            ("s3:b", true), ("s3:b/app", true), ("s3:b/other", false), ("s3:c", false),
        ])
    func owner(source: String, owns: Bool) {
        let target = MaintenanceTarget(table: "locks", region: "eu-west-1", lockfile: true)
        #expect(target.isOwned(bySource: source, state: "b/app/terraform.tfstate") == owns)
    }

    @Test("the events: locked carries the exact record, and is read back as an open lock")
    func events() throws {
        let target = MaintenanceTarget(table: "locks", region: "eu-west-1", lockfile: false)
        let policy = MaintenancePolicy(state: Self.lock.state, reason: Self.lock.reason, actor: "alice@ops", ttl: 7200)
        let event = policy.lockedEvent(Self.lock, target: target, at: Self.created)
        #expect(event.kind == .maintenanceLocked && event.lockID == Self.lock.id && event.source == "locktrail-lock")
        let open = try #require(OpenMaintenanceLock(details: event.details, lockID: Self.lock.id, state: Self.lock.state))
        #expect(open.record == Self.lock.record)
        #expect(open.target == target)
        #expect(!open.isExpired(at: Self.created.adding(seconds: 7199)))
        #expect(open.isExpired(at: Self.created.adding(seconds: 7200)))
        #expect(EventKind.registry.contains(.maintenanceExpired))
        #expect(!HookEvent.isAllowed("lock.maintenance_locked"))
    }
}

@Suite("Metrics from the database snapshot")
struct DatabaseMetricsTests {
    @Test("held locks by bucket, oldest age, stale thresholds, maintenance, counters and sources")
    func samples() {
        let now = Timestamp(parsing: "2026-12-01T12:00:00Z")!
        let metrics = DatabaseMetrics(
            held: [
                .init(state: "a/x.tfstate", since: now.adding(seconds: -7200), maintenance: false),
                .init(state: "a/y.tfstate", since: now.adding(seconds: -60), maintenance: true),
                .init(state: "b/z.tfstate", since: nil, maintenance: false),
            ],
            forcedRemovals: 3, unlockedWrites: 1, events: 42,
            sources: [.init(name: "dynamodb:r/t", kind: "dynamodb", lastSuccess: now.adding(seconds: -5), failures: 0, coverageGaps: 2)])
        let samples = metrics.samples(now: now)
        func value(_ name: String, _ labels: [(String, String)] = []) -> Double? {
            samples.first { s in s.name == name && labels.allSatisfy { l in s.labels.contains { $0 == l } } }?.value
        }
        #expect(value("locktrail_locks_held", [("bucket", "a")]) == 2)
        #expect(value("locktrail_locks_held", [("bucket", "b")]) == 1)
        #expect(value("locktrail_oldest_lock_age_seconds") == 7200)
        #expect(value("locktrail_stale_locks", [("older_than", "1h")]) == 1)
        #expect(value("locktrail_stale_locks", [("older_than", "6h")]) == 0)
        #expect(value("locktrail_maintenance_locks") == 1)
        #expect(value("locktrail_forced_removals_total") == 3)
        #expect(value("locktrail_unlocked_writes_total") == 1)
        #expect(value("locktrail_source_last_success_timestamp_seconds", [("source", "dynamodb:r/t")]) == now.adding(seconds: -5).secondsSinceEpoch)
        #expect(value("locktrail_coverage_gaps_total", [("source", "dynamodb:r/t")]) == 2)
        let empty = DatabaseMetrics(held: [], forcedRemovals: 0, unlockedWrites: 0, events: 0, sources: []).samples(now: now)
        #expect(empty.first { $0.name == "locktrail_locks_held" }?.value == 0)
        #expect(empty.first { $0.name == "locktrail_oldest_lock_age_seconds" }?.value == 0)
        // A polling source has no push lag; a stream source has its lag and repairs.
        #expect(value("locktrail_source_push_lag_seconds", [("source", "dynamodb:r/t")]) == nil)
    }

    @Test("a lock table read through its stream: push lag and repairs")
    func pushLag() {
        let now = Timestamp(parsing: "2026-12-01T12:00:00Z")!
        let samples = DatabaseMetrics(
            held: [], forcedRemovals: 0, unlockedWrites: 0, events: 0,
            sources: [
                .init(
                    name: "dynamodb:r/s", kind: "dynamodb", lastSuccess: now.adding(seconds: -3), failures: 0, coverageGaps: 0,
                    streamReadThrough: now.adding(seconds: -3), streamRepairs: 4)
            ]
        ).samples(now: now)
        #expect(samples.first { $0.name == "locktrail_source_push_lag_seconds" }?.value == 3)
        #expect(samples.first { $0.name == "locktrail_source_push_repairs_total" }?.value == 4)
    }

    @Test("a bucket fed by an SQS queue: push lag from how far the queue was read, no stream repairs")
    func queueLag() {
        let now = Timestamp(parsing: "2026-12-01T12:00:00Z")!
        let samples = DatabaseMetrics(
            held: [], forcedRemovals: 0, unlockedWrites: 0, events: 0,
            sources: [
                .init(
                    name: "s3:b", kind: "s3", lastSuccess: now.adding(seconds: -1), failures: 0, coverageGaps: 0,
                    queueReadThrough: now.adding(seconds: -42)),
                .init(name: "s3:polled", kind: "s3", lastSuccess: now.adding(seconds: -1), failures: 0, coverageGaps: 0),
            ]
        ).samples(now: now)
        let lag = samples.filter { $0.name == "locktrail_source_push_lag_seconds" }
        #expect(lag.count == 1)
        #expect(lag.first?.value == 42)
        #expect(lag.first?.labels.first { $0.0 == "source" }?.1 == "s3:b")
        #expect(!samples.contains { $0.name == "locktrail_source_push_repairs_total" })
    }
}
