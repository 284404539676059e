import LocktrailCore
import Testing

@Suite("Stream shard lineage")
struct StreamShardLineageTests {
    static func open(_ id: String, parent: String? = nil, start: String) -> StreamShard {
        StreamShard(id: id, parentID: parent, startingSequenceNumber: start)
    }

    static func closed(_ id: String, parent: String? = nil, start: String, end: String) -> StreamShard {
        StreamShard(id: id, parentID: parent, startingSequenceNumber: start, endingSequenceNumber: end)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var shards: [StreamShard]
        var order: [String]
        var finished: Set<String>
        var ready: [String]
        var trimmed: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "one open shard (the emulator)", shards: [open("s1", start: "100")], order: ["s1"], finished: [], ready: ["s1"]),
        Case(
            name: "a split: the parent first; its children wait while it is unfinished",
            shards: [open("c2", parent: "p", start: "250"), closed("p", start: "100", end: "199"), open("c1", parent: "p", start: "200")],
            order: ["p", "c1", "c2"], finished: [], ready: ["p"]),
        Case(
            name: "a split whose parent is finished: both children, in sequence order",
            shards: [open("c2", parent: "p", start: "250"), closed("p", start: "100", end: "199"), open("c1", parent: "p", start: "200")],
            order: ["p", "c1", "c2"], finished: ["p"], ready: ["c1", "c2"]),
        Case(
            name: "three generations: a grandchild waits for its own parent only",
            shards: [
                closed("a", start: "1", end: "9"), closed("b", parent: "a", start: "10", end: "19"), open("c", parent: "b", start: "20"),
                open("d", parent: "a", start: "15"),
            ],
            order: ["a", "b", "c", "d"], finished: ["a"], ready: ["b", "d"]),
        Case(
            name: "lineages side by side, ordered by their roots' first sequence numbers",
            shards: [
                open("y2", parent: "y", start: "900"), closed("y", start: "500", end: "899"), closed("x", start: "20", end: "99"),
                open("x2", parent: "x", start: "100"),
            ],
            order: ["x", "x2", "y", "y2"], finished: ["x"], ready: ["x2", "y"]),
        Case(
            name: "the parent was trimmed after 24 hours: the child starts its own lineage",
            shards: [open("c", parent: "gone", start: "300")], order: ["c"], finished: [], ready: ["c"], trimmed: ["c"]),
        Case(
            name: "an open parent never lets its children start (AWS's rule), even one with records already",
            shards: [open("p", start: "1"), open("c", parent: "p", start: "50")], order: ["p", "c"], finished: [], ready: ["p"]),
        Case(
            name: "sequence numbers compare as numbers, not text",
            shards: [closed("big", start: "1000", end: "1999"), closed("small", start: "999", end: "999")],
            order: ["small", "big"], finished: ["small"], ready: ["big"]),
    ]

    @Test("read order, what is ready, trimmed parents", arguments: cases)
    func lineage(_ c: Case) {
        let lineage = StreamShardLineage(shards: c.shards)
        #expect(lineage.readOrder == c.order)
        #expect(lineage.ready(finished: c.finished) == c.ready)
        #expect(lineage.trimmedParents.map(\.shard) == c.trimmed)
    }

    @Test(
        "finished: closed and read to its ending sequence number, or told it ended",
        arguments: [
            (closed("s", start: "100", end: "199"), "199", false, true),
            (closed("s", start: "100", end: "199"), "150", false, false),
            (closed("s", start: "100", end: "199"), nil, true, true),
            (closed("s", start: "100", end: "199"), nil, false, false),
            (open("s", start: "100"), "999999", true, false),
        ] as [(StreamShard, String?, Bool, Bool)])
    func finished(shard: StreamShard, lastRead: String?, reachedEnd: Bool, expected: Bool) {
        #expect(shard.isFinished(lastRead: lastRead, reachedEnd: reachedEnd) == expected)
    }

    @Test("finished shards no longer listed can be forgotten; a parent cycle still reads every shard")
    func housekeeping() {
        let lineage = StreamShardLineage(shards: [Self.open("b", parent: "a", start: "2"), Self.open("a", parent: "b", start: "1")])
        #expect(Set(lineage.readOrder) == ["a", "b"])
        #expect(lineage.forgettable(finished: ["a", "old-2", "old-1"]) == ["old-1", "old-2"])
    }

    @Test(
        "sequence numbers of up to 40 digits",
        arguments: [
            ("1100000000017454423009", "1100000000017454423010", StreamShardLineage.SequenceOrder.orderedAscending),
            ("99", "100", .orderedAscending),
            ("000100", "100", .orderedSame),
            (
                "49668042436483585938371093418713718427897400000000000000", "4966804243648358593837109341871371842789740000000000000",
                .orderedDescending
            ),
        ])
    func compare(a: String, b: String, expected: StreamShardLineage.SequenceOrder) {
        #expect(StreamShardLineage.compare(a, b) == expected)
    }
}
