import LocktrailCore

/// Events of every kind, each made by the rule that makes it in production (the DynamoDB diff and
/// cycle, the S3 listing and version-history rules, the stream rules, coverage gaps, `unlock`'s
/// policy, hook reports), from fixed inputs. `Tests/LocktrailStoreTests/Fixtures/events-every-kind.jsonl` holds what the
/// code before the typed event model made of these inputs, in both canonical encodings, so a
/// change to how events are built that would change a byte of a hash fails a test.
enum EventFixtureCases {
    static let t0 = Timestamp(parsing: "2026-11-20T09:00:00Z")!
    static let t1 = Timestamp(parsing: "2026-11-20T09:10:00.250000Z")!
    static let t2 = Timestamp(parsing: "2026-11-20T09:20:00.500000Z")!
    static let idA = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
    static let idB = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"

    static func record(
        _ id: String, path: String = "fixture-bucket/app/terraform.tfstate",
        created: String = "2026-11-20T09:05:00.123456789Z", extra: String = ""
    ) -> String {
        #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"alice@ci","Version":"1.11.4","Created":"\#(created)","Path":"\#(path)"\#(extra)}"#
    }

    /// Every case, named; names are unique.
    static func all() -> [(name: String, event: Event)] {
        var cases: [(String, Event)] = []
        func add(_ prefix: String, _ events: [Event]) {
            for (i, e) in events.enumerated() { cases.append(("\(prefix).\(i).\(e.kind.rawValue)", e)) }
        }

        // DynamoDB lock table: acquire (with an odd record), release, replace, digests, unparsed items.
        let differ = LockTableDiff(source: "dynamodb:us-east-1/locks", table: "locks")
        let path = "fixture-bucket/app/terraform.tfstate"
        let first = ScanWindow(previousStarted: nil, started: t0, completed: t0.adding(seconds: 1))
        let window = ScanWindow(previousStarted: t0, started: t1, completed: t1.adding(seconds: 1))
        func snapshot(_ items: [LockTableItem]) -> [String: SnapshotEntry] {
            Dictionary(uniqueKeysWithValues: differ.diff(previous: [:], items: items, window: first).upserts.map { ($0.key, $0.entry) })
        }
        let lockA = LockTableItem(lockID: path, info: record(idA), digest: nil)
        let lockOdd = LockTableItem(
            lockID: "fixture-bucket/env:/dev/app/terraform.tfstate",
            info: record(
                idB, path: "fixture-bucket/env:/dev/app/terraform.tfstate", created: "yesterday",
                extra: #","Extra":{"n":1152921504606846976,"f":0.1}"#), digest: nil)
        add(
            "ddb.first",
            differ.diff(
                previous: [:], items: [lockA, LockTableItem(lockID: path + "-md5", info: nil, digest: "d0")],
                window: first
            ).events)
        add(
            "ddb.change",
            differ.diff(
                previous: snapshot([
                    lockA, LockTableItem(lockID: path + "-md5", info: nil, digest: "d0"),
                    LockTableItem(lockID: "fixture-bucket/old/terraform.tfstate-md5", info: nil, digest: "d9"),
                ]),
                items: [
                    LockTableItem(lockID: path, info: record(idB), digest: nil), lockOdd,
                    LockTableItem(lockID: path + "-md5", info: nil, digest: "d1"),
                    LockTableItem(lockID: "fixture-bucket/x.tfstate", info: nil, digest: nil, otherAttributes: ["Other": ["N": "1"]]),
                    LockTableItem(lockID: "fixture-bucket/y.tfstate", info: "{not json", digest: nil),
                    LockTableItem(lockID: "garbage", info: "x", digest: nil),
                ],
                window: window
            ).events)
        add("ddb.gone", differ.diff(previous: snapshot([lockA]), items: [], window: window).events)

        // DynamoDB cycles: a pause (coverage gap), the table missing, the table restored.
        let planner = DynamoDBCyclePlanner(source: "dynamodb:us-east-1/locks", table: "locks")
        let seen = SourceCheckpoint(status: .ok, lastScanStarted: t0, lastScanCompleted: t0.adding(seconds: 1))
        add(
            "ddb.missing",
            planner.plan(
                checkpoint: seen, snapshot: snapshot([lockA]),
                observation: DynamoDBScanObservation(.tableMissing, started: t2, completed: t2.adding(seconds: 1))
            ).events)
        let missing = SourceCheckpoint(status: .tableMissing, lastScanStarted: t1, lastScanCompleted: t1.adding(seconds: 1))
        add(
            "ddb.restored",
            planner.plan(
                checkpoint: missing, snapshot: [:],
                observation: DynamoDBScanObservation(.items([lockA]), started: t2, completed: t2.adding(seconds: 1))
            ).events)

        // DynamoDB stream records.
        let streams = LockTableStreamRules(source: "dynamodb-stream:us-east-1/locks", table: "locks")
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/locks/stream/2026-11-20T00:00:00.000"
        add(
            "stream.insert",
            streams.events(
                for: LockTableStreamRecord(
                    streamARN: arn, shardID: "shardId-1", sequenceNumber: "100", eventID: "e1", eventName: "INSERT",
                    approximateCreationSeconds: t1.secondsSinceEpoch, keys: LockTableItem(lockID: path, info: nil, digest: nil), newImage: lockA),
                observedAt: t2))
        add(
            "stream.remove",
            streams.events(
                for: LockTableStreamRecord(
                    streamARN: arn, shardID: "shardId-1", sequenceNumber: "101", eventID: "e2", eventName: "REMOVE",
                    approximateCreationSeconds: t2.secondsSinceEpoch, keys: LockTableItem(lockID: path, info: nil, digest: nil), oldImage: lockA,
                    principal: "dynamodb.amazonaws.com"), observedAt: t2))
        add(
            "stream.digest",
            streams.events(
                for: LockTableStreamRecord(
                    streamARN: arn, shardID: "shardId-1", sequenceNumber: "102", eventName: "MODIFY", approximateCreationSeconds: nil,
                    keys: LockTableItem(lockID: path + "-md5", info: nil, digest: nil),
                    newImage: LockTableItem(lockID: path + "-md5", info: nil, digest: "d2"),
                    oldImage: LockTableItem(lockID: path + "-md5", info: nil, digest: "d1")), observedAt: t2))

        // S3 listings (unversioned): lock file appears, is replaced, disappears; states written.
        let listing = LockFileDiff(source: "s3:fixture-bucket", bucket: "fixture-bucket")
        let lockKey = "app/terraform.tfstate.tflock", stateKey = "app/terraform.tfstate"
        let stateHead = Array(#"{"version": 4, "terraform_version": "1.11.4", "serial": 7, "lineage": "abc-123", "#.utf8)
        let listed = listing.diff(
            previous: [:],
            listing: [
                S3ListedObject(key: lockKey, etag: "e1", size: 200, lastModified: t1),
                S3ListedObject(key: stateKey, etag: "s1", size: 5000, lastModified: t1),
                S3ListedObject(key: "enc/terraform.tfstate", etag: "s2", size: 10, lastModified: t1),
                S3ListedObject(key: "bad/terraform.tfstate.tflock", etag: "e9", size: 3, lastModified: t1),
            ],
            fetched: [
                lockKey: .bytes(Array(record(idA).utf8), versionID: nil), stateKey: .bytes(stateHead, versionID: nil),
                "enc/terraform.tfstate": .bytes(Array("\u{1}\u{2}binary".utf8), versionID: nil),
                "bad/terraform.tfstate.tflock": .bytes([0xff, 0xfe, 0x00], versionID: nil),
            ],
            window: window)
        add("s3.list", listed.events)
        let listedSnapshot = Dictionary(uniqueKeysWithValues: listed.upserts.map { ($0.key, $0.entry) })
        add(
            "s3.replace",
            listing.diff(
                previous: listedSnapshot,
                listing: [
                    S3ListedObject(key: lockKey, etag: "e2", size: 200, lastModified: t2),
                    S3ListedObject(key: stateKey, etag: "s1", size: 5000, lastModified: t1),
                ],
                fetched: [lockKey: .bytes(Array(record(idB).utf8), versionID: nil)],
                window: ScanWindow(previousStarted: t1, started: t2, completed: t2.adding(seconds: 1))
            ).events)
        add(
            "s3.gone",
            listing.diff(
                previous: listedSnapshot, listing: [], fetched: [:],
                window: ScanWindow(previousStarted: t1, started: t2, completed: t2.adding(seconds: 1))
            ).events)

        // S3 version history: versions, a delete marker, a replaced lock, an unreadable version, states.
        let history = VersionHistory(source: "s3:fixture-bucket/app", bucket: "fixture-bucket")
        let entries = [
            S3HistoryEntry(key: lockKey, versionID: "v3", isDeleteMarker: true, lastModified: t2.adding(seconds: 2), listingIndex: 0),
            S3HistoryEntry(key: lockKey, versionID: "v2", isDeleteMarker: false, lastModified: t2, etag: "e2", size: 200, listingIndex: 1),
            S3HistoryEntry(key: lockKey, versionID: "v1", isDeleteMarker: false, lastModified: t1, etag: "e1", size: 200, listingIndex: 2),
            S3HistoryEntry(key: stateKey, versionID: "sv2", isDeleteMarker: false, lastModified: t2, etag: "s2", size: 5001, listingIndex: 3),
            S3HistoryEntry(key: stateKey, versionID: "sv1", isDeleteMarker: false, lastModified: t1, etag: "s1", size: 5000, listingIndex: 4),
            S3HistoryEntry(
                key: "other/terraform.tfstate.tflock", versionID: "o1", isDeleteMarker: false, lastModified: t1,
                etag: "o1", size: 4, listingIndex: 5),
        ]
        add(
            "s3v",
            history.apply(
                entries: entries, known: [:],
                fetched: [
                    "\(lockKey)#v1": .bytes(Array(record(idA).utf8), versionID: "v1"),
                    "\(lockKey)#v2": .bytes(Array(record(idB).utf8), versionID: "v2"),
                    "\(stateKey)#sv1": .bytes(stateHead, versionID: "sv1"),
                    "\(stateKey)#sv2": .unavailable(reason: "NoSuchVersion"),
                    "other/terraform.tfstate.tflock#o1": .bytes(Array("junk".utf8), versionID: "o1"),
                ],
                observedAt: t2.adding(seconds: 3)
            ).events)

        // S3 cycles: a pause, and history pruned before it was read (an orphan delete marker).
        let s3 = S3CyclePlanner(source: "s3:fixture-bucket", bucket: "fixture-bucket")
        let versioned = SourceCheckpoint(status: .versioned, lastScanStarted: t0, lastScanCompleted: t0.adding(seconds: 1))
        add(
            "s3.cycle",
            s3.plan(
                checkpoint: versioned, snapshot: [:],
                observation: S3BucketObservation(
                    listing: .versions([
                        S3HistoryEntry(
                            key: "gone/terraform.tfstate.tflock", versionID: "m1", isDeleteMarker: true,
                            lastModified: t2, listingIndex: 0)
                    ]),
                    fetched: [:], started: t2, completed: t2.adding(seconds: 1))
            ).events)
        add(
            "gap",
            [
                CoverageGapRules.gap(
                    key: "fixture|gap", source: "s3:fixture-bucket", mechanism: .s3Lockfile, observedAt: t2,
                    state: StateIdentity(lockPath: path),
                    details: CoverageGapDetails(from: t0, to: t1, reason: "fixture", bucket: "fixture-bucket"))
            ])

        // unlock's policy: not found, held by another, refused, removed, changed.
        let policy = UnlockPolicy(
            state: path, lockID: idA, reason: "stale after a crash", actor: "bob@laptop",
            dynamoDBTable: "locks", minAge: 600, aliveWithin: 90)
        let recordA = LockRecordParse.parse(Array(record(idA).utf8)).record!
        let recordB = LockRecordParse.parse(Array(record(idB).utf8)).record!
        var unlock: [Event] = []
        if case .notFound(let e) = policy.decide(holders: [], liveRuns: [], now: t2) { unlock.append(e) }
        if case .heldByOther(_, let e) = policy.decide(
            holders: [UnlockHolder(mechanism: .dynamodb, record: recordB, raw: record(idB))],
            liveRuns: [], now: t2)
        {
            unlock.append(e)
        }
        let holders = [
            UnlockHolder(mechanism: .s3Lockfile, record: recordA, raw: record(idA)),
            UnlockHolder(mechanism: .dynamodb, record: recordA, raw: record(idA)),
        ]
        if case .refuse(_, _, let e) = policy.decide(holders: holders, liveRuns: [], now: t0.adding(seconds: 400)) { unlock.append(e) }
        var forced = policy
        forced.force = true
        if case .remove(let assessment) = forced.decide(holders: holders, liveRuns: [], now: t0.adding(seconds: 400)) {
            unlock.append(forced.removalEvent(assessment, removed: [.s3Lockfile, .dynamodb], changed: false, at: t2))
            unlock.append(forced.removalEvent(assessment, removed: [.s3Lockfile], changed: true, at: t2.adding(seconds: 1)))
        }
        add("unlock", unlock)

        // Hook reports, as the wrapper sends them (details as WrapSession builds them), and one
        // with a client's own `ingest_token` (replaced) and numbers of both encodings.
        func hook(_ id: String, _ kind: EventKind, lockID: String? = nil, _ details: [String: JSONValue]) -> Event {
            HookEvent(id: id, kind: kind, time: t1, runID: "run-1", state: path, workspace: "default", lockID: lockID, details: details)
                .event(receivedAt: t1.adding(seconds: 1), ingestToken: "ci")
        }
        add(
            "hook",
            [
                hook(
                    "h1", .runStarted,
                    [
                        "user": "alice", "host": "ci-7", "who": "alice@ci-7", "program": "terraform",
                        "arguments": ["apply", "-var", "password=***"], "subcommand": "apply", "directory": "/src/app",
                        "heartbeat_seconds": 30, "ci": ["system": "github-actions", "run_id": "42", "url": .null],
                        "backend": ["bucket": "fixture-bucket", "key": "app/terraform.tfstate", "use_lockfile": true],
                    ]),
                hook("h2", .runHeartbeat, ["who": "alice@ci-7", "heartbeat_seconds": 30]),
                hook(
                    "h3", .lockContended, lockID: idB,
                    [
                        "who": "alice@ci-7", "holder_who": "bob@h", "holder_operation": "OperationTypeApply", "holder_version": "1.11.4",
                        "holder_created": "2026-11-20 09:05:00.123456789 +0000 UTC", "holder_path": .null, "error": "ConditionalCheckFailedException",
                    ]),
                hook("h4", .lockForceUnlocked, lockID: idB, ["actor": "alice@ci-7", "tool": "terraform force-unlock", "outcome": "unlocked"]),
                hook("h5", .lockReleaseFailed, ["who": "alice@ci-7", "message": "unexpected end of JSON input"]),
                hook(
                    "h6", .runFinished,
                    [
                        "who": "alice@ci-7", "duration_seconds": 12.345, "exit_code": 137, "signal": 9, "pid": 31337,
                        "ingest_token": "forged", "big": .number(1152921504606846976), "tiny": 5e-7, "huge": 1e21,
                    ]),
            ])

        // Maintenance locks (`locktrail lock`): taken on both mechanisms, refused by a holder,
        // released, expired (added after the typed event model, captured from the dictionaries
        // `MaintenancePolicy` wrote before it used `MaintenanceDetails`).
        let maintenancePolicy = MaintenancePolicy(state: path, reason: "incident 42: freeze", actor: "ops@laptop", ttl: 7200, region: "us-east-1")
        let target = MaintenanceTarget(table: "locks", region: "us-east-1", lockfile: true)
        let maintenance = MaintenanceLock(
            id: idA, state: path, reason: "incident 42: freeze", actor: "ops@laptop", created: t1,
            expires: t1.adding(seconds: 7200))
        let open = OpenMaintenanceLock(lock: maintenance, target: target)
        add(
            "maintenance",
            [
                maintenancePolicy.lockedEvent(maintenance, target: target, at: t1),
                maintenancePolicy.refusedEvent(
                    target: MaintenanceTarget(table: nil, lockfile: true), holder: LockRecordParse.parse(Array(record(idB).utf8)).record,
                    mechanism: "s3-lockfile", at: t1.adding(seconds: 1)),
                maintenancePolicy.refusedEvent(target: target, holder: LockRecord?.none, mechanism: "dynamodb", at: t1.adding(seconds: 2)),
                open.endEvent(.maintenanceReleased, by: "ops@laptop", removed: ["s3-lockfile"], gone: ["dynamodb"], at: t2),
                open.endEvent(
                    .maintenanceExpired, by: "dynamodb:us-east-1/locks", removed: ["dynamodb", "s3-lockfile"], gone: [], at: t2.adding(seconds: 1)),
            ])
        return cases
    }
}
