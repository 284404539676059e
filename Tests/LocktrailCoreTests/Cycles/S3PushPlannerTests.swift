import LocktrailCore
import Testing

/// The cycles that read only the keys with news (push notices, or a versioned bucket's current
/// listing against the heads it knows), and the reconciliation that walks the whole history.
@Suite("S3 push and frequent cycles")
struct S3PushPlannerTests {
    typealias V = VersionHistoryTests
    static let planner: S3CyclePlanner = {
        var p = S3CyclePlanner(source: "s3:b", bucket: "b", gapThreshold: 300, prefix: "app/")
        p.keepsHeads = true
        return p
    }()
    static let t0 = V.t0
    static let lock = V.lockKey

    static func entry(_ id: String, marker: Bool, second: Int, index: Int, key: String = lock) -> S3HistoryEntry {
        S3HistoryEntry(
            key: key, versionID: id, isDeleteMarker: marker, lastModified: t0.adding(seconds: Double(second)),
            etag: marker ? "" : "e-" + id, size: marker ? 0 : 10, listingIndex: index)
    }

    static func notice(
        _ key: String, _ change: S3Notice.Change, bucket: String = "b", version: String? = nil, principal: String? = nil,
        etag: String? = nil
    ) -> S3Notice {
        S3Notice(
            bucket: bucket, key: key, eventName: change == .created ? "ObjectCreated:Put" : "ObjectRemoved:DeleteMarkerCreated",
            change: change, versionID: version, eTag: etag, principal: principal.map(AWSPrincipal.init(principalID:)), envelope: .direct)
    }

    /// Plans one observation on `model` and commits it.
    static func cycle(
        _ model: inout CycleModel, _ entries: [S3HistoryEntry], scope: S3BucketObservation.Scope, at: Double,
        bodies: [String: [UInt8]] = [:], notices: [S3Notice] = []
    ) -> CyclePlan {
        let listing = S3BucketObservation.Listing.versions(entries)
        let reads = planner.reads(checkpoint: model.checkpoint, snapshot: model.snapshot, listing: listing)
        let fetched = Dictionary(uniqueKeysWithValues: reads.map { ($0.itemKey, S3Fetched.bytes(bodies[$0.itemKey] ?? [], versionID: $0.versionID)) })
        var observation = S3BucketObservation(
            listing: listing, fetched: fetched, started: t0.adding(seconds: at),
            completed: t0.adding(seconds: at + 1))
        observation.scope = scope
        observation.notices = notices
        let plan = planner.plan(checkpoint: model.checkpoint, snapshot: model.snapshot, observation: observation)
        model.commit(plan)
        return plan
    }

    @Test(
        "notices name keys with news: this bucket, under the prefix, lock files and states, created or removed",
        arguments: [
            (notice(lock, .created), true),
            (notice("app/terraform.tfstate", .removed), true),
            (notice(lock, .created, bucket: "other"), false),
            (notice("elsewhere/terraform.tfstate.tflock", .created), false),
            (notice("app/readme.txt", .created), false),
            (S3Notice(bucket: "b", key: lock, eventName: "ObjectTagging:Put", change: .other, envelope: .direct), false),
        ])
    func news(notice: S3Notice, expected: Bool) {
        #expect(Self.planner.keysWithNews(notices: [notice]) == (expected ? [notice.key] : []))
    }

    @Test("a key read newest first down to its known version: the delete marker releases that version's lock, exactly")
    func releaseFromKnownVersion() throws {
        var model = CycleModel()
        // The whole walk: one lock held (v0), its head is current.
        let walk = Self.cycle(
            &model, [Self.entry("v0", marker: false, second: 1, index: 0)], scope: .everything, at: 2,
            bodies: ["\(Self.lock)#v0": V.record(1)])
        #expect(walk.kinds == ["lock.acquired"])
        #expect(model.snapshot[S3CyclePlanner.headKey(Self.lock)] == .other(fingerprint: "e-v0"))
        #expect(S3CyclePlanner.lastReconciled(model.snapshot) == Self.t0.adding(seconds: 2))
        // A push cycle: the marker (new) and the known version it stopped at, newest first.
        let push = Self.cycle(
            &model, [Self.entry("m1", marker: true, second: 5, index: 0), Self.entry("v0", marker: false, second: 1, index: 1)],
            scope: .keys([Self.lock]), at: 6)
        #expect(push.kinds == ["lock.released"])
        let released = try #require(push.events.first)
        #expect(released.lockID == V.id(1))
        #expect(released.time == .exact(Self.t0.adding(seconds: 5)))
        #expect(model.snapshot[S3CyclePlanner.headKey(Self.lock)] == nil)
        // The same again (a duplicate message): nothing new.
        let again = Self.cycle(&model, [Self.entry("m1", marker: true, second: 5, index: 0)], scope: .keys([Self.lock]), at: 8)
        #expect(again.events.isEmpty)
        #expect(again.batches.allSatisfy { $0.deletions.isEmpty })
    }

    @Test("the current listing has news of a key whose ETag is not its head, and of a head no longer listed")
    func headsCompared() {
        let snapshot: [String: SnapshotEntry] = [
            "app/a.tflock#": .other(fingerprint: "e1"), "app/b.tfstate#": .other(fingerprint: "s1"), "app/gone.tflock#": .other(fingerprint: "g"),
            "app/a.tflock#v1": .deleteMarker, S3CyclePlanner.reconciledKey: .other(fingerprint: "0"),
        ]
        let current = [
            S3ListedObject(key: "app/a.tflock", etag: "e1", size: 1, lastModified: Self.t0),
            S3ListedObject(key: "app/b.tfstate", etag: "s2", size: 1, lastModified: Self.t0),
            S3ListedObject(key: "app/new.tflock", etag: "n", size: 1, lastModified: Self.t0),
        ]
        #expect(Self.planner.keysWithNews(current: current, snapshot: snapshot) == ["app/b.tfstate", "app/new.tflock", "app/gone.tflock"])
    }

    @Test(
        "the whole history is walked when never walked, or a reconciliation interval after the last walk",
        arguments: [
            (nil as Double?, SourceStatus.versioned, 10.0, true), (0, .versioned, 599, false), (0, .versioned, 600, true), (0, .listing, 10, true),
        ])
    func due(last: Double?, status: SourceStatus, now: Double, expected: Bool) {
        var snapshot: [String: SnapshotEntry] = [:]
        if let last { snapshot[S3CyclePlanner.reconciledKey] = .other(fingerprint: String(Self.t0.adding(seconds: last).microseconds)) }
        let checkpoint = SourceCheckpoint(status: status, lastScanStarted: Self.t0, lastScanCompleted: Self.t0)
        #expect(
            Self.planner.reconciliationDue(checkpoint: checkpoint, snapshot: snapshot, now: Self.t0.adding(seconds: now), interval: 600) == expected)
    }

    @Test("a version's acquire and release carry the principal of the notice of that version id, and nothing else's")
    func principals() throws {
        var model = CycleModel()
        _ = Self.cycle(&model, [], scope: .everything, at: 0)
        let notices = [
            Self.notice(Self.lock, .created, version: "v0", principal: "AWS:AROAALICE:run-1"),
            Self.notice(Self.lock, .removed, version: "m1", principal: "AWS:AROABOB:ops"),
            Self.notice(Self.lock, .removed, version: "m9", principal: "AWS:AIDAMALLORY"),
        ]
        let plan = Self.cycle(
            &model, [Self.entry("m1", marker: true, second: 5, index: 0), Self.entry("v0", marker: false, second: 1, index: 1)],
            scope: .keys([Self.lock]), at: 6, bodies: ["\(Self.lock)#v0": V.record(1)], notices: notices)
        #expect(plan.kinds == ["lock.acquired", "lock.released"])
        #expect(plan.events.map { $0.details["principal_id"]?.stringValue } == ["AWS:AROAALICE:run-1", "AWS:AROABOB:ops"])
        #expect(plan.events.allSatisfy { $0.details["found_by"] == nil })
    }

    @Test(
        "removed by someone else: only two different IAM identities prove it",
        arguments: [
            ("AWS:AROAALICE:run-1", "AWS:AROABOB:ops", true),
            ("AWS:AROAALICE:run-1", "AWS:AROAALICE:run-1-refreshed", false),  // the same role, another session
            ("AWS:AIDAALICE", "AWS:AIDAALICE", false),
            ("AWS:AIDAALICE", "AWS:AROABOB:x", true),
            ("123456789012", "AWS:AIDAALICE", true),  // the root user is an identity too
            ("AWS:AROAALICE:run-1", "s3.amazonaws.com", false),  // lifecycle expiry: no claim
            ("AWS:AROAALICE:run-1", "Anonymous", false),
            ("AWS:AROAALICE:run-1", "something-unknown", false),
        ] as [(String, String, Bool)])
    func rule(creator: String, remover: String, expected: Bool) {
        #expect(PrincipalRule.proves(creator: creator, remover: remover) == expected)
    }

    @Test("either principal unknown: no claim", arguments: [(nil, "AWS:AROABOB:ops"), ("AWS:AROAALICE:x", nil), (nil, nil)] as [(String?, String?)])
    func unknown(creator: String?, remover: String?) {
        #expect(!PrincipalRule.proves(creator: creator, remover: remover))
    }

    @Test(
        "a hold whose lock file another principal removed is forced, with both events in its evidence; the same role's new session is not",
        arguments: [("AWS:AROABOB:ops", ReleaseKind.forced), ("AWS:AROAALICE:refreshed", .released), ("", .released)])
    func derived(remover: String, expected: ReleaseKind) throws {
        func event(_ seq: Int64, _ kind: EventKind, _ principal: String, second: Double) -> SequencedEvent {
            var details: [String: JSONValue] = ["object_key": .string(Self.lock), "time_basis": "last_modified", "who": "alice@h"]
            if !principal.isEmpty { details["principal_id"] = .string(principal) }
            return SequencedEvent(
                seq: seq,
                event: Event(
                    key: "k\(seq)", kind: kind, source: "s3:b", mechanism: .s3Lockfile, time: .exact(Self.t0.adding(seconds: second)),
                    observedAt: Self.t0.adding(seconds: 9), lockID: "lock-1", state: "b/app/terraform.tfstate", details: .object(details)))
        }
        let derived = HoldDerivation.derive([event(1, .lockAcquired, "AWS:AROAALICE:run-1", second: 1), event(2, .lockReleased, remover, second: 4)])
        let hold = try #require(derived.holds.first)
        #expect(hold.releaseKind == expected)
        if expected == .forced {
            #expect(hold.forcedBy == "assumed_role:AROABOB (session ops)")
            #expect(hold.forceProvenance == .observed)
            #expect(Set(hold.evidence.map(\.seq)) == [1, 2])
            #expect(hold.evidence.contains { $0.note.contains("removed by assumed_role:AROABOB") })
        }
    }
}
