import LocktrailCore
import Testing

@Suite("S3 lock-file listing rules")
struct LockFileDiffTests {
    static let differ = LockFileDiff(source: "s3:b", bucket: "b")
    static let t0 = Timestamp(parsing: "2025-03-04T05:00:00Z")!
    static let t1 = Timestamp(parsing: "2025-03-04T05:10:00Z")!
    static let window = ScanWindow(previousStarted: t0, started: t1, completed: t1.adding(seconds: 1))
    static let lockKey = "app/terraform.tfstate.tflock"
    static let stateKey = "app/terraform.tfstate"

    static func record(_ n: Int) -> [UInt8] {
        Array(
            #"{"ID":"\#(VersionHistoryTests.id(n))","Operation":"OperationTypeApply","Info":"","Who":"alice@h","Version":"1.11.4","Created":"2025-03-04T05:05:00Z","Path":"b/app/terraform.tfstate"}"#
                .utf8)
    }

    /// An object as listed, with the bytes a read of it returns.
    struct Obj: Sendable {
        var key: String
        var etag: String
        var body: [UInt8]
    }
    static func lock(_ n: Int) -> Obj { Obj(key: lockKey, etag: "l\(n)", body: record(n)) }
    static func state(_ etag: String) -> Obj { Obj(key: stateKey, etag: etag, body: VersionHistoryTests.stateHead) }

    static func run(previous: [String: SnapshotEntry], objects: [Obj], window: ScanWindow) -> (SnapshotDiff, [S3Read]) {
        let listing = objects.map { S3ListedObject(key: $0.key, etag: $0.etag, size: Int64($0.body.count), lastModified: t1) }
        let reads = differ.reads(previous: previous, listing: listing)
        var fetched: [String: S3Fetched] = [:]
        for read in reads {
            let o = objects.first { $0.key == read.key }!
            fetched[read.itemKey] = .bytes(read.range.map { Array(o.body.prefix($0.count)) } ?? o.body, versionID: nil)
        }
        return (differ.diff(previous: previous, listing: listing, fetched: fetched, window: window), reads)
    }
    static func snapshot(_ objects: [Obj]) -> [String: SnapshotEntry] {
        let (d, _) = run(previous: [:], objects: objects, window: ScanWindow(previousStarted: nil, started: t0, completed: t0))
        return Dictionary(uniqueKeysWithValues: d.upserts.map { ($0.key, $0.entry) })
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var before: [Obj]
        var after: [Obj]
        var kinds: [String]
        var reads: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unchanged bucket: nothing read, nothing recorded", before: [lock(1), state("s1")], after: [lock(1), state("s1")], kinds: [],
            reads: 0),
        Case(name: "lock file appears: acquired", before: [state("s1")], after: [lock(1), state("s1")], kinds: ["lock.acquired"], reads: 1),
        Case(name: "lock file disappears: released", before: [lock(1)], after: [], kinds: ["lock.released"], reads: 0),
        Case(
            name: "lock file replaced (new ETag): release then acquire", before: [lock(1)], after: [lock(2)],
            kinds: ["lock.released", "lock.acquired"], reads: 1),
        Case(name: "state ETag changes: written", before: [state("s1")], after: [state("s2")], kinds: ["state.written"], reads: 1),
        Case(name: "state appears: written", before: [], after: [state("s1")], kinds: ["state.written"], reads: 1),
        Case(
            name: "apply: lock and state change together", before: [state("s1")], after: [lock(1), state("s2")],
            kinds: ["state.written", "lock.acquired"], reads: 2),  // by key: the state sorts before its .tflock
        Case(
            name: "a lock file that is not a record: kept raw", before: [], after: [Obj(key: lockKey, etag: "x", body: Array("{".utf8))],
            kinds: ["observation.unparsed"], reads: 1),
        Case(
            name: "other objects: read once, remembered, no event", before: [], after: [Obj(key: "notes.txt", etag: "n", body: Array("hi".utf8))],
            kinds: [], reads: 1),
        Case(
            name: "other object unchanged: not read again", before: [Obj(key: "notes.txt", etag: "n", body: Array("hi".utf8))],
            after: [Obj(key: "notes.txt", etag: "n", body: Array("hi".utf8))], kinds: [], reads: 0),
    ]

    @Test("rules", arguments: cases)
    func rules(_ c: Case) {
        let (diff, reads) = Self.run(previous: Self.snapshot(c.before), objects: c.after, window: Self.window)
        #expect(diff.events.map(\.kind.rawValue) == c.kinds)
        #expect(reads.count == c.reads)
        var next = Self.snapshot(c.before)
        for key in diff.deletions { next.removeValue(forKey: key) }
        for (key, entry) in diff.upserts { next[key] = entry }
        #expect(next == Self.snapshot(c.after))
        #expect(Set(diff.events.map(\.key)).count == diff.events.count)
    }

    @Test("lock files are read whole; anything else only its first KiB")
    func ranges() {
        let (_, reads) = Self.run(previous: [:], objects: [Self.lock(1), Self.state("s1")], window: Self.window)
        #expect(reads.first { $0.key == Self.lockKey }?.range == nil)
        #expect(reads.first { $0.key == Self.stateKey }?.range == 0...1023)
    }

    @Test("acquire at LastModified, release within the scan bounds with the old record")
    func times() throws {
        let (acq, _) = Self.run(previous: [:], objects: [Self.lock(1)], window: Self.window)
        let a = try #require(acq.events.first)
        #expect(a.time == .exact(Self.t1))
        #expect(a.details["time_basis"] == "last_modified")
        #expect(a.mechanism == .s3Lockfile)
        let (rel, _) = Self.run(previous: Self.snapshot([Self.lock(1)]), objects: [], window: Self.window)
        let r = try #require(rel.events.first)
        #expect(r.lockID == VersionHistoryTests.id(1))
        #expect(r.time == Self.window.bounds)
        #expect(r.details["who"] == "alice@h")
        #expect(r.details["reason"] == "disappeared")
    }

    @Test("an object deleted between listing and reading is treated as absent")
    func vanished() {
        let listing = [S3ListedObject(key: Self.lockKey, etag: "l1", size: 10, lastModified: Self.t1)]
        let diff = Self.differ.diff(previous: [:], listing: listing, fetched: [Self.lockKey: .unavailable(reason: "NoSuchKey")], window: Self.window)
        #expect(diff.events.isEmpty)
        #expect(diff.upserts.isEmpty)
    }
}
