import LocktrailCore
import Testing

@Suite("DynamoDB lock-table diff rules")
struct LockTableDiffTests {
    static let differ = LockTableDiff(source: "dynamodb:us-east-1/locks", table: "locks")
    static let t0 = Timestamp(parsing: "2025-03-04T05:00:00Z")!
    static let t1 = Timestamp(parsing: "2025-03-04T05:10:00Z")!
    static let window = ScanWindow(previousStarted: t0, started: t1, completed: t1.adding(seconds: 1))

    static func record(_ id: String, path: String = "b/app.tfstate", created: String = "2025-03-04T05:05:00.123456789Z") -> String {
        #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"alice@h","Version":"1.11.4","Created":"\#(created)","Path":"\#(path)"}"#
    }
    static let idA = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
    static let idB = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"

    static func lock(_ id: String, path: String = "b/app.tfstate") -> LockTableItem {
        LockTableItem(lockID: path, info: record(id, path: path), digest: nil)
    }
    static func digest(_ value: String?, path: String = "b/app.tfstate") -> LockTableItem {
        LockTableItem(lockID: path + "-md5", info: nil, digest: value)
    }
    static func snapshot(_ items: [LockTableItem]) -> [String: SnapshotEntry] {
        let d = differ.diff(previous: [:], items: items, window: ScanWindow(previousStarted: nil, started: t0, completed: t0))
        return Dictionary(uniqueKeysWithValues: d.upserts.map { ($0.key, $0.entry) })
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var before: [LockTableItem]
        var after: [LockTableItem]
        var kinds: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unchanged table: nothing", before: [lock(idA), digest("d1")], after: [lock(idA), digest("d1")], kinds: []),
        Case(name: "lock appears: acquired", before: [digest("d1")], after: [lock(idA), digest("d1")], kinds: ["lock.acquired"]),
        Case(name: "lock disappears: released", before: [lock(idA)], after: [], kinds: ["lock.released"]),
        Case(name: "same LockID, new ID: release then acquire", before: [lock(idA)], after: [lock(idB)], kinds: ["lock.released", "lock.acquired"]),
        Case(name: "digest appears: written", before: [], after: [digest("d1")], kinds: ["state.written"]),
        Case(name: "digest changes: written", before: [digest("d1")], after: [digest("d2")], kinds: ["state.written"]),
        Case(name: "digest removed (workspace deleted)", before: [digest("d1")], after: [], kinds: ["state.digest_removed"]),
        Case(name: "-md5 item without Digest (terragrunt migrate): no write", before: [], after: [digest(nil)], kinds: []),
        Case(
            name: "item that is neither: kept raw once", before: [],
            after: [LockTableItem(lockID: "b/x.tfstate", info: nil, digest: nil, otherAttributes: ["Other": ["N": "1"]])],
            kinds: ["observation.unparsed"]),
        Case(
            name: "lock whose Info is not a record: kept raw", before: [],
            after: [LockTableItem(lockID: "b/app.tfstate", info: "{not json", digest: nil)], kinds: ["observation.unparsed"]),
        Case(
            name: "LockID that is not bucket/key", before: [], after: [LockTableItem(lockID: "garbage", info: "x", digest: nil)],
            kinds: ["observation.unparsed"]),
        Case(
            name: "apply: lock and digest change in one window", before: [digest("d1")], after: [lock(idA), digest("d2")],
            kinds: ["lock.acquired", "state.written"]),
        Case(
            name: "two workspaces at once", before: [], after: [lock(idA), lock(idB, path: "b/env:/dev/app.tfstate")],
            kinds: ["lock.acquired", "lock.acquired"]),
    ]

    @Test("rules", arguments: cases)
    func rules(_ c: Case) {
        let diff = Self.differ.diff(previous: Self.snapshot(c.before), items: c.after, window: Self.window)
        #expect(diff.events.map(\.kind.rawValue) == c.kinds)
        // The snapshot afterwards is exactly what a fresh scan of `after` gives.
        var next = Self.snapshot(c.before)
        for key in diff.deletions { next.removeValue(forKey: key) }
        for (key, entry) in diff.upserts { next[key] = entry }
        #expect(next == Self.snapshot(c.after))
        // Keys are unique within a cycle.
        #expect(Set(diff.events.map(\.key)).count == diff.events.count)
    }

    @Test("an acquire carries the record as terraform wrote it, timed by Created when the scans allow")
    func acquireDetails() throws {
        let diff = Self.differ.diff(previous: [:], items: [Self.lock(Self.idA, path: "b/env:/dev/app.tfstate")], window: Self.window)
        let e = try #require(diff.events.first)
        #expect(e.lockID == Self.idA)
        #expect(e.state == "b/env:/dev/app.tfstate")
        #expect(e.workspace == "dev")
        #expect(e.mechanism == .dynamodb)
        #expect(e.details["who"] == "alice@h")
        #expect(e.details["operation"] == "OperationTypeApply")
        #expect(e.details["version"] == "1.11.4")
        #expect(e.details["created"] == "2025-03-04T05:05:00.123456789Z")
        #expect(e.details["time_basis"] == "created")
        #expect(e.time == .exact(Timestamp(parsing: "2025-03-04T05:05:00.123456Z")!))
        #expect(e.raw?["Info"]?["S"] == .string(Self.record(Self.idA, path: "b/env:/dev/app.tfstate")))
    }

    @Test("a Created before the previous scan falls back to the scan bounds (lock-timeout retries reuse Created)")
    func createdOutsideBounds() throws {
        let item = LockTableItem(lockID: "b/app.tfstate", info: Self.record(Self.idA, created: "2025-03-04T04:00:00Z"), digest: nil)
        let e = try #require(Self.differ.diff(previous: [:], items: [item], window: Self.window).events.first)
        #expect(e.time == Self.window.bounds)
        #expect(e.details["time_basis"] == "scan")
    }

    @Test("a release is known only within (previous scan, this scan] and names the lock")
    func releaseBounds() throws {
        let e = try #require(Self.differ.diff(previous: Self.snapshot([Self.lock(Self.idA)]), items: [], window: Self.window).events.first)
        #expect(e.kind == .lockReleased)
        #expect(e.lockID == Self.idA)
        #expect(e.time == .between(after: Self.t0, notAfter: Self.t1.adding(seconds: 1)))
        #expect(e.details["who"] == "alice@h")
        #expect(e.details["reason"] == "disappeared")
    }

    @Test("a digest change names the previous digest")
    func digestChange() throws {
        let e = try #require(
            Self.differ.diff(previous: Self.snapshot([Self.digest("d1")]), items: [Self.digest("d2")], window: Self.window).events.first)
        #expect(e.details["digest"] == "d2")
        #expect(e.details["previous_digest"] == "d1")
        #expect(e.state == "b/app.tfstate")
    }

    @Test("re-running the same diff gives the same keys (idempotent re-ingest)")
    func deterministicKeys() {
        let a = Self.differ.diff(previous: Self.snapshot([Self.lock(Self.idA)]), items: [Self.lock(Self.idB), Self.digest("x")], window: Self.window)
        let b = Self.differ.diff(previous: Self.snapshot([Self.lock(Self.idA)]), items: [Self.digest("x"), Self.lock(Self.idB)], window: Self.window)
        #expect(a.events.map(\.key) == b.events.map(\.key))
    }
}
