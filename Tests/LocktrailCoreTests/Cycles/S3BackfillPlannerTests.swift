import LocktrailCore
import Testing

@Suite("S3 backfill plans")
struct S3BackfillPlannerTests {
    typealias V = VersionHistoryTests
    static let t0 = V.t0
    static let keyA = "a/terraform.tfstate.tflock"
    static let keyB = "b/terraform.tfstate.tflock"

    /// Three keys, two of them with several locks: histories that span pages of every size.
    static let specs = [
        V.V(0, V.record(1), key: keyA), V.D(1, key: keyA), V.V(2, V.record(2), key: keyA), V.D(3, key: keyA),
        V.V(4, V.stateHead, key: V.stateKey), V.V(5, V.stateHead, key: V.stateKey),
        V.V(6, V.record(3), key: keyB), V.D(7, key: keyB),
    ]

    /// Feeds the listing in pages of `size` and returns the batches.
    static func backfill(pageSize size: Int, resumeAfter: String? = nil, remember: Bool = true) -> (batches: [S3BackfillPlanner.Batch], all: [Event])
    {
        let (entries, fetched) = V.listing(specs, interleaved: true)
        var planner = S3BackfillPlanner(source: "s3:b", bucket: "b", resumeAfter: resumeAfter, remembersVersions: remember)
        var batches: [S3BackfillPlanner.Batch] = []
        var start = 0
        while start < entries.count {
            let page = planner.newEntries(Array(entries[start..<min(start + size, entries.count)]))
            let reads = planner.reads(page)
            let got = Dictionary(uniqueKeysWithValues: reads.map { ($0.itemKey, fetched[$0.itemKey]!) })
            start += size
            if let batch = planner.add(page, fetched: got, morePages: start < entries.count, observedAt: t0) { batches.append(batch) }
        }
        let whole = VersionHistory(source: "s3:b", bucket: "b").apply(
            entries: entries.filter { entry in resumeAfter.map { entry.key > $0 } ?? true },
            known: [:], fetched: fetched, observedAt: t0)
        return (batches, whole.events)
    }

    @Test("any page size gives the events of the whole history, each key committed once it is complete", arguments: [1, 2, 3, 5, 100])
    func pages(_ size: Int) throws {
        let (batches, whole) = Self.backfill(pageSize: size)
        #expect(batches.flatMap(\.events) == whole)
        #expect(batches.map(\.entries).reduce(0, +) == Self.specs.count)
        // Checkpoints only move forward, and the last one names the last key.
        let markers = batches.compactMap(\.keyMarker)
        #expect(markers == markers.sorted() && Set(markers).count == markers.count)
        #expect(markers.last == Self.keyB)
        // A batch never splits a key: each key's events are in one batch.
        for key in [Self.keyA, V.stateKey, Self.keyB] {
            #expect(batches.filter { $0.events.contains { $0.details["object_key"] == .string(key) } }.count == 1, "\(key)")
        }
    }

    @Test("resumed after a key: what the listing repeats of it and before it is skipped", arguments: [1, 3, 100])
    func resume(_ size: Int) throws {
        let (batches, whole) = Self.backfill(pageSize: size, resumeAfter: Self.keyA)
        #expect(batches.flatMap(\.events) == whole)
        #expect(!batches.flatMap(\.events).contains { $0.details["object_key"] == .string(Self.keyA) })
        #expect(batches.map(\.entries).reduce(0, +) == 4)
    }

    @Test("versions are remembered as the source's snapshot only when asked", arguments: [true, false])
    func remember(_ remember: Bool) {
        let (batches, _) = Self.backfill(pageSize: 100, remember: remember)
        #expect(batches.flatMap(\.upserts).count == (remember ? Self.specs.count : 0))
    }
}
