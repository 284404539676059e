import LocktrailCore
import Testing

@Suite("DynamoDB stream rules")
struct LockTableStreamRulesTests {
    static let rules = LockTableStreamRules(source: "dynamodb:us-east-1/locks", table: "locks")
    static let stream = "arn:aws:dynamodb:us-east-1:123456789012:table/locks/stream/2025-03-04T00:00:00.000"
    static let observed = Timestamp(parsing: "2025-03-04T05:06:30Z")!
    /// 2025-03-04T05:06:07Z, as AWS sends it (whole seconds).
    static let stamp = 1_741_064_767.0

    static func lock(
        _ id: String = "f9763602-b03f-e35c-da30-4083cdbb99ae", created: String = "2025-03-04T05:06:07.123456789Z",
        path: String = "b/app.tfstate"
    ) -> LockTableItem {
        LockTableItem(
            lockID: "b/app.tfstate",
            info:
                #"{"ID":"\#(id)","Operation":"OperationTypePlan","Info":"","Who":"alice@h","Version":"1.11.4","Created":"\#(created)","Path":"\#(path)"}"#,
            digest: nil)
    }

    static func digest(_ value: String?) -> LockTableItem { LockTableItem(lockID: "b/app.tfstate-md5", info: nil, digest: value) }

    static func record(
        _ name: String, new: LockTableItem? = nil, old: LockTableItem? = nil, seconds: Double? = stamp,
        sequence: String = "4200"
    ) -> LockTableStreamRecord {
        let key = LockTableItem(lockID: (new ?? old)?.lockID, info: nil, digest: nil)
        return LockTableStreamRecord(
            streamARN: stream, shardID: "shardId-1", sequenceNumber: sequence, eventID: "e-1", eventName: name,
            approximateCreationSeconds: seconds, keys: key, newImage: new, oldImage: old)
    }

    static let second = LockTableStreamRules.bounds(approximateCreationSeconds: stamp)!

    @Test(
        "ApproximateCreationDateTime is one second, [floor(t), floor(t) + 1 s), whatever the fraction",
        arguments: [
            (1_741_064_767.0, "2025-03-04T05:06:07.000000Z", "2025-03-04T05:06:07.999999Z"),
            (1_741_064_767.999, "2025-03-04T05:06:07.000000Z", "2025-03-04T05:06:07.999999Z"),
            (1_741_064_768.001, "2025-03-04T05:06:08.000000Z", "2025-03-04T05:06:08.999999Z"),
        ])
    func bounds(seconds: Double, earliest: String, latest: String) {
        let time = LockTableStreamRules.bounds(approximateCreationSeconds: seconds)!
        #expect(time.earliest?.rfc3339 == earliest)
        #expect(time.latest.rfc3339 == latest)
        #expect(time.precision == "second")
    }

    @Test(
        "each record becomes the events a scan would build",
        arguments: [
            (record("INSERT", new: lock()), [EventKind.lockAcquired]),
            (record("REMOVE", old: lock()), [.lockReleased]),
            (record("MODIFY", new: lock("aaaaaaaa-b03f-e35c-da30-4083cdbb99ae"), old: lock()), [.lockReleased, .lockAcquired]),
            (record("MODIFY", new: lock(), old: lock()), []),
            (record("INSERT", new: digest("0cc175b9c0f1b6a831c399e269772661")), [.stateWritten]),
            (record("MODIFY", new: digest("92eb5ffee6ae2fec3ad71c777531578f"), old: digest("0cc175b9c0f1b6a831c399e269772661")), [.stateWritten]),
            (record("MODIFY", new: digest("0cc175b9c0f1b6a831c399e269772661"), old: digest("0cc175b9c0f1b6a831c399e269772661")), []),
            (record("INSERT", new: digest(nil)), []),
            (record("REMOVE", old: digest("0cc175b9c0f1b6a831c399e269772661")), [.stateDigestRemoved]),
            (record("INSERT", new: LockTableItem(lockID: "b/app.tfstate", info: "not a record", digest: nil)), [.observationUnparsed]),
            (record("INSERT", new: LockTableItem(lockID: "no-slash", info: nil, digest: nil)), [.observationUnparsed]),
            (record("REMOVE", old: LockTableItem(lockID: "no-slash", info: nil, digest: nil)), []),
            (record("INSERT"), [.observationUnparsed]),  // KEYS_ONLY: no image
            (record("UPSERT", new: lock()), [.observationUnparsed]),
        ])
    func kinds(record: LockTableStreamRecord, expected: [EventKind]) {
        let events = Self.rules.events(for: record, observedAt: Self.observed)
        #expect(events.map(\.kind) == expected)
        #expect(events.allSatisfy { $0.mechanism == .dynamodb && $0.source == "dynamodb:us-east-1/locks" && $0.observedAt == Self.observed })
        #expect(events.allSatisfy { $0.key.hasPrefix("ddbs|\(Self.stream)|4200|") })
        #expect(Set(events.map(\.key)).count == events.count)
    }

    @Test(
        "the acquire is exact at Created when Created is inside the record's second; otherwise it is the second",
        arguments: [
            ("2025-03-04T05:06:07.123456789Z", EventTime.exact(Timestamp(parsing: "2025-03-04T05:06:07.123456Z")!), "created"),
            ("2025-03-04T05:06:07Z", .exact(Timestamp(parsing: "2025-03-04T05:06:07Z")!), "created"),
            ("2025-03-04T05:06:06.999Z", second, "stream"),  // lock-timeout retries reuse an older Created
            ("2025-03-04T05:06:08Z", second, "stream"),
            ("yesterday", second, "stream"),
        ])
    func acquireTime(created: String, expected: EventTime, basis: String) throws {
        let event = try #require(Self.rules.events(for: Self.record("INSERT", new: Self.lock(created: created)), observedAt: Self.observed).first)
        #expect(event.time == expected)
        #expect(event.details["time_basis"]?.stringValue == basis)
    }

    @Test("details match the scan's: the lock record's fields, the table, and where in the stream the record was")
    func details() throws {
        let acquired = try #require(Self.rules.events(for: Self.record("INSERT", new: Self.lock()), observedAt: Self.observed).first)
        #expect(acquired.lockID == "f9763602-b03f-e35c-da30-4083cdbb99ae")
        #expect(acquired.state == "b/app.tfstate" && acquired.workspace == "default")
        for (name, value) in [
            ("who", "alice@h"), ("operation", "OperationTypePlan"), ("version", "1.11.4"), ("path", "b/app.tfstate"),
            ("table", "locks"), ("stream_arn", Self.stream), ("sequence_number", "4200"), ("stream_event", "INSERT"),
            ("approximate_creation", "2025-03-04T05:06:07.000000Z"), ("shard_id", "shardId-1"),
        ] {
            #expect(acquired.details[name]?.stringValue == value, "\(name)")
        }
        #expect(acquired.raw == Self.lock().raw)

        let mismatch = try #require(
            Self.rules.events(for: Self.record("INSERT", new: Self.lock(path: "b/other.tfstate")), observedAt: Self.observed).first)
        #expect(mismatch.details["path_mismatch"] == true)

        let released = Self.rules.events(for: Self.record("REMOVE", old: Self.lock()), observedAt: Self.observed)[0]
        #expect(released.details["reason"] == "disappeared" && released.details["who"] == "alice@h")
        #expect(released.time == Self.second)
        let replaced = Self.rules.events(
            for: Self.record("MODIFY", new: Self.lock("aaaaaaaa-b03f-e35c-da30-4083cdbb99ae"), old: Self.lock()),
            observedAt: Self.observed)
        #expect(replaced[0].details["reason"] == "replaced")
        #expect(replaced[0].details["replaced_by"] == "aaaaaaaa-b03f-e35c-da30-4083cdbb99ae")
        #expect(replaced.map(\.lockID) == ["f9763602-b03f-e35c-da30-4083cdbb99ae", "aaaaaaaa-b03f-e35c-da30-4083cdbb99ae"])

        let written = Self.rules.events(
            for: Self.record(
                "MODIFY", new: Self.digest("92eb5ffee6ae2fec3ad71c777531578f"),
                old: Self.digest("0cc175b9c0f1b6a831c399e269772661")), observedAt: Self.observed)[0]
        #expect(written.details["digest"] == "92eb5ffee6ae2fec3ad71c777531578f")
        #expect(written.details["previous_digest"] == "0cc175b9c0f1b6a831c399e269772661")
        #expect(written.state == "b/app.tfstate")
        let removed = Self.rules.events(for: Self.record("REMOVE", old: Self.digest("0cc175b9c0f1b6a831c399e269772661")), observedAt: Self.observed)[
            0]
        #expect(removed.details["previous_digest"] == "0cc175b9c0f1b6a831c399e269772661")
    }

    @Test("the same record read twice is the same event; another sequence number is another event")
    func identity() {
        let once = Self.rules.events(for: Self.record("INSERT", new: Self.lock()), observedAt: Self.observed)
        let again = Self.rules.events(for: Self.record("INSERT", new: Self.lock()), observedAt: Self.observed.adding(seconds: 60))
        let other = Self.rules.events(for: Self.record("INSERT", new: Self.lock(), sequence: "4201"), observedAt: Self.observed)
        #expect(once.map(\.key) == again.map(\.key))
        #expect(once.map(\.key) != other.map(\.key))
    }

    @Test("a TTL deletion names DynamoDB as the remover; a client's change names no one")
    func ttl() {
        var expired = Self.record("REMOVE", old: Self.lock())
        expired.principal = "dynamodb.amazonaws.com"
        #expect(Self.rules.events(for: expired, observedAt: Self.observed)[0].details["removed_by"] == "dynamodb.amazonaws.com")
        #expect(Self.rules.events(for: Self.record("REMOVE", old: Self.lock()), observedAt: Self.observed)[0].details["removed_by"] == nil)
    }

    @Test("the emulator's millisecond stamp is kept as sent, rounded to the microsecond")
    func milliseconds() {
        let event = Self.rules.events(for: Self.record("REMOVE", old: Self.lock(), seconds: 1_796_115_566.612), observedAt: Self.observed)[0]
        #expect(event.details["approximate_creation"] == "2026-12-01T08:59:26.612000Z")
        #expect(event.time.earliest?.rfc3339 == "2026-12-01T08:59:26.000000Z")
    }

    @Test("a record without a usable time is bounded by when it was read", arguments: [nil, Double.nan, .infinity, 1e300, -1e20] as [Double?])
    func noTime(seconds: Double?) {
        let event = Self.rules.events(for: Self.record("REMOVE", old: Self.lock(), seconds: seconds), observedAt: Self.observed)[0]
        #expect(event.time == .between(after: nil, notAfter: Self.observed))
        #expect(event.details["time_basis"] == "read")
        #expect(event.details["approximate_creation"] == nil)
        if let seconds { #expect(LockTableStreamRules.bounds(approximateCreationSeconds: seconds) == nil) }
    }
}
