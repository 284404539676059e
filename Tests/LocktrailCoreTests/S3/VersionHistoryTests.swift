import Foundation
import LocktrailCore
import Testing

@Suite("S3 version-history rules")
struct VersionHistoryTests {
    static let rules = VersionHistory(source: "s3:b", bucket: "b")
    static let t0 = Timestamp(parsing: "2025-03-04T05:00:00Z")!
    static let lockKey = "app/terraform.tfstate.tflock"
    static let stateKey = "app/terraform.tfstate"

    static func id(_ n: Int) -> String { String(format: "%08x-0000-0000-0000-%012x", n, n) }
    static func record(_ n: Int, op: String = "OperationTypePlan") -> [UInt8] {
        Array(
            #"{"ID":"\#(id(n))","Operation":"\#(op)","Info":"","Who":"alice@h","Version":"1.11.4","Created":"2025-03-04T05:00:0\#(n % 10).5Z","Path":"b/app/terraform.tfstate"}"#
                .utf8)
    }
    static let stateHead = Array(
        """
        {
          "version": 4,
          "terraform_version": "1.11.4",
          "serial": 7,
          "lineage": "3f1c2a8e-1111-2222-3333-444455556666",
          "outputs": {},
          "resources": [
        """.utf8)

    /// An entry spec: V (version) or D (delete marker), second offset from t0, and, for versions, the body.
    struct Spec: Sendable {
        var marker: Bool
        var second: Int
        var key: String = VersionHistoryTests.lockKey
        var body: [UInt8] = []
        var unavailable = false
    }
    static func V(_ s: Int, _ body: [UInt8], key: String = lockKey) -> Spec { Spec(marker: false, second: s, key: key, body: body) }
    static func D(_ s: Int, key: String = lockKey) -> Spec { Spec(marker: true, second: s, key: key) }

    /// Lists `specs` (given oldest first) the way S3 does (`interleaved`: newest first per key) or the
    /// way moto does (each page's versions newest first, then its delete markers newest first).
    static func listing(_ specs: [Spec], interleaved: Bool) -> (entries: [S3HistoryEntry], fetched: [String: S3Fetched]) {
        var entries: [S3HistoryEntry] = []
        var fetched: [String: S3Fetched] = [:]
        for (n, s) in specs.enumerated() {
            let e = S3HistoryEntry(
                key: s.key, versionID: "v\(n)", isDeleteMarker: s.marker, lastModified: t0.adding(seconds: Double(s.second)),
                etag: s.marker ? "" : "e\(n)", size: Int64(s.body.count), listingIndex: 0)
            entries.append(e)
            if !s.marker { fetched[e.itemKey] = s.unavailable ? .unavailable(reason: "NoSuchVersion") : .bytes(s.body, versionID: e.versionID) }
        }
        // Newest first per key, keys in order.
        var listed = entries.enumerated().sorted { a, b in a.element.key != b.element.key ? a.element.key < b.element.key : a.offset > b.offset }.map(
            \.element)
        if !interleaved { listed = listed.filter { !$0.isDeleteMarker } + listed.filter(\.isDeleteMarker) }
        for i in listed.indices { listed[i].listingIndex = i }
        return (listed, fetched)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var specs: [Spec]
        /// kind and lock-ID number (or nil) per event, chronological per key.
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "one lock: acquire and release at their times", specs: [V(1, record(1)), D(2)],
            expected: ["lock.acquired 1 @1", "lock.released 1 @2"]),
        Case(
            name: "a lock still held: acquire only", specs: [V(1, record(1)), D(2), V(3, record(2))],
            expected: ["lock.acquired 1 @1", "lock.released 1 @2", "lock.acquired 2 @3"]),
        Case(
            name: "five quick plans within two seconds (order from the put/delete alternation)",
            specs: [V(0, record(1)), D(0), V(0, record(2)), D(1), V(1, record(3)), D(1), V(1, record(4)), D(1), V(2, record(5)), D(2)],
            expected: [
                "lock.acquired 1 @0", "lock.released 1 @0", "lock.acquired 2 @0", "lock.released 2 @1", "lock.acquired 3 @1",
                "lock.released 3 @1", "lock.acquired 4 @1", "lock.released 4 @1", "lock.acquired 5 @2", "lock.released 5 @2",
            ]),
        Case(
            name: "a body that is not a lock record: kept raw; its release has no lock ID",
            specs: [V(1, Array("garbage".utf8)), D(2)], expected: ["observation.unparsed - @1", "lock.released - @2"]),
        Case(name: "a delete marker with nothing before it", specs: [D(1)], expected: ["observation.unparsed - @1"]),
        Case(
            name: "two delete markers: the second releases nothing", specs: [V(1, record(1)), D(2), D(3)],
            expected: ["lock.acquired 1 @1", "lock.released 1 @2", "observation.unparsed - @3"]),
        Case(
            name: "overwritten without a delete: the old lock is replaced", specs: [V(1, record(1)), V(2, record(2))],
            expected: ["lock.acquired 1 @1", "lock.released 1 @2", "lock.acquired 2 @2"]),
        Case(
            name: "state versions: a write each, with serial from the head",
            specs: [V(1, stateHead, key: stateKey), V(2, stateHead, key: stateKey)],
            expected: ["state.written - @1", "state.written - @2"]),
        Case(
            name: "encrypted OpenTofu state: a write, marked encrypted",
            specs: [V(1, Array(#"{"meta":{"key_provider.pbkdf2.k":"e30="},"encrypted_data":"AAAA","encryption_version":"v0"}"#.utf8), key: stateKey)],
            expected: ["state.written - @1"]),
        Case(
            name: "other objects and their delete markers: remembered, no event",
            specs: [V(1, Array("hello".utf8), key: "README.md"), D(2, key: "README.md")], expected: []),
    ]

    static func summary(_ e: Event) -> String {
        let n = e.lockID.flatMap { id in (0..<100).first { Self.id($0) == id } }.map(String.init) ?? "-"
        let s = Int((e.time.exact!.microseconds - t0.microseconds) / 1_000_000)
        return "\(e.kind.rawValue) \(n) @\(s)"
    }

    @Test("rules, in S3's listing order and in moto's", arguments: cases, [true, false])
    func rules(_ c: Case, interleaved: Bool) {
        let (entries, fetched) = Self.listing(c.specs, interleaved: interleaved)
        let diff = Self.rules.apply(entries: entries, known: [:], fetched: fetched, observedAt: Self.t0.adding(seconds: 60))
        #expect(diff.events.map(Self.summary) == c.expected)
        #expect(Set(diff.events.map(\.key)).count == diff.events.count)
        #expect(diff.upserts.count == entries.count)
        #expect(Self.rules.reads(entries: entries, known: [:]).count == entries.filter { !$0.isDeleteMarker }.count)
    }

    @Test("incremental: a cycle that knows the earlier versions emits only the new ones, releases named from the stored record")
    func incremental() throws {
        let all: [Spec] = [Self.V(1, Self.record(1)), Self.D(2), Self.V(3, Self.record(2)), Self.D(4)]
        let (first, fetchedFirst) = Self.listing(Array(all.prefix(3)), interleaved: true)
        let d1 = Self.rules.apply(entries: first, known: [:], fetched: fetchedFirst, observedAt: Self.t0)
        let known = Dictionary(uniqueKeysWithValues: d1.upserts.map { ($0.key, $0.entry) })
        let (second, fetchedAll) = Self.listing(all, interleaved: false)
        #expect(Self.rules.reads(entries: second, known: known).isEmpty)
        let d2 = Self.rules.apply(entries: second, known: known, fetched: [:], observedAt: Self.t0)
        #expect(d2.events.map(Self.summary) == ["lock.released 2 @4"])
        let release = try #require(d2.events.first)
        #expect(release.details["operation"] == "OperationTypePlan")
        #expect(release.details["released_version_id"] == "v2")
        // The same history imported at once gives the same release.
        let whole = Self.rules.apply(entries: second, known: [:], fetched: fetchedAll, observedAt: Self.t0)
        #expect(whole.events.last == release)
    }

    @Test("an acquire carries the record, the object and the exact time; keys name bucket, key and version only")
    func acquireDetails() throws {
        let (entries, fetched) = Self.listing([Self.V(1, Self.record(1, op: "OperationTypeApply"))], interleaved: true)
        let other = VersionHistory(source: "s3:b/app", bucket: "b")
        let e = try #require(Self.rules.apply(entries: entries, known: [:], fetched: fetched, observedAt: Self.t0).events.first)
        let f = try #require(other.apply(entries: entries, known: [:], fetched: fetched, observedAt: Self.t0).events.first)
        #expect(e.key == "s3v|b|app/terraform.tfstate.tflock|v0|acquired")
        #expect(e.key == f.key)
        #expect(e.mechanism == .s3Lockfile)
        #expect(e.lockID == Self.id(1))
        #expect(e.state == "b/app/terraform.tfstate")
        #expect(e.workspace == "default")
        #expect(e.time == .exact(Self.t0.adding(seconds: 1)))
        #expect(e.details["operation"] == "OperationTypeApply")
        #expect(e.details["version_id"] == "v0")
        #expect(e.details["etag"] == "e0")
        #expect(e.details["bucket"] == "b")
        #expect(e.details["time_basis"] == "last_modified")
        #expect(e.raw?["text"] == .string(String(decoding: Self.record(1, op: "OperationTypeApply"), as: UTF8.self)))
    }

    @Test("a state write has serial, lineage, terraform_version, size, etag and version id; never the content")
    func stateDetails() throws {
        let (entries, fetched) = Self.listing([Self.V(1, Self.stateHead, key: "env:/dev/app/terraform.tfstate")], interleaved: true)
        let e = try #require(Self.rules.apply(entries: entries, known: [:], fetched: fetched, observedAt: Self.t0).events.first)
        #expect(e.kind == .stateWritten)
        #expect(e.mechanism == .s3State)
        #expect(e.state == "b/env:/dev/app/terraform.tfstate")
        #expect(e.workspace == "dev")
        #expect(e.details["serial"] == 7)
        #expect(e.details["lineage"] == "3f1c2a8e-1111-2222-3333-444455556666")
        #expect(e.details["terraform_version"] == "1.11.4")
        #expect(e.details["encrypted"] == false)
        #expect(e.details["version_id"] == "v0")
        #expect(e.raw?["text"] == nil)
    }

    @Test("a version pruned between listing and reading is kept with the reason")
    func unavailable() throws {
        var spec = Self.V(1, Self.record(1))
        spec.unavailable = true
        let (entries, fetched) = Self.listing([spec, Self.D(2)], interleaved: true)
        let events = Self.rules.apply(entries: entries, known: [:], fetched: fetched, observedAt: Self.t0).events
        #expect(events.map(\.kind) == [.observationUnparsed, .lockReleased])
        #expect(events.first?.details["reason"]?.stringValue?.contains("NoSuchVersion") == true)
    }
}
