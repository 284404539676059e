import LocktrailCore
import LocktrailPostgres
import LocktrailTestSupport
import Testing

@testable import LocktrailStore

/// `holds_forced.sql` finds a period's holds in three parts through three indexes; its answer must
/// be the one the plain definition gives: every forced hold with possible_to >= since and
/// possible_from <= until, in (sort_at, lock_id) order, page after page.
@Suite("Forced holds over a period")
struct ForcedWindowTests {
    /// The definition, as `holds_forced.sql` said it before the indexes of migration 14.
    static let definition = """
        SELECT lock_id FROM holds
        WHERE release_kind = 'forced'
          AND ($1::timestamptz IS NULL OR possible_to >= $1)
          AND ($2::timestamptz IS NULL OR possible_from <= $2)
        ORDER BY sort_at, lock_id
        """

    @Test(
        "random holds (ties, unknown ends, long holds, acquires uncertain across the period) and periods: the same holds in the same order",
        // Custom and generic plans (a prepared statement switches after five runs), and plans
        // through the indexes (a table this small is otherwise read whole).
        arguments: [
            "SET plan_cache_mode = force_custom_plan", "SET plan_cache_mode = force_generic_plan",
            "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; SET enable_bitmapscan = off",
        ])
    func sameAsDefinition(settings: String) async throws {
        let db = try await TestDatabase.make(poolSize: 1)
        var random = SplitMix64(seed: 15)
        let base = Timestamp(parsing: "2026-11-20T00:00:00Z")!
        func minute(_ m: Int) -> Timestamp { base.adding(seconds: Double(m) * 60) }
        var rows: [String] = []
        for n in 0..<400 {
            // Few distinct minutes, so sort_at ties and ends on the period's bounds are common.
            let sortAt = minute(Int.random(in: 0...240, using: &random))
            let from: String, to: String
            switch Int.random(in: 0..<20, using: &random) {
            case 0, 1: from = "-infinity"
            case 2: from = sortAt.adding(seconds: 120).rfc3339  // after sort_at: not what the derivation writes, still answered
            default: from = sortAt.adding(seconds: -60 * Double(Int.random(in: 0...5, using: &random))).rfc3339
            }
            switch Int.random(in: 0..<20, using: &random) {
            case 0: to = "infinity"
            case 1: to = sortAt.adding(seconds: -180).rfc3339  // before sort_at: likewise
            case 2, 3: to = sortAt.adding(seconds: 60 * Double(Int.random(in: 60...600, using: &random))).rfc3339  // held for hours
            default: to = sortAt.adding(seconds: 60 * Double(Int.random(in: 0...10, using: &random))).rfc3339
            }
            let kind = Int.random(in: 0..<10, using: &random) < 7 ? "forced" : "released"
            let lockID = String(Int.random(in: 0..<0x10000, using: &random), radix: 16) + "-\(n)"
            rows.append(
                "('\(lockID)', 'b/k', false, '\(kind)', '\(from)', 'infinity', '-infinity', '\(to)', '\(sortAt.rfc3339)', '{\"lock_id\": \"\(lockID)\"}')"
            )
        }
        try await db.superuser(
            "INSERT INTO holds (lock_id, state, held, release_kind, possible_from, certain_from, certain_to, possible_to, sort_at, doc) VALUES "
                + rows.joined(separator: ", ") + "; ANALYZE holds")

        var periods: [(Timestamp?, Timestamp?)] = [(nil, nil), (minute(120), nil), (nil, minute(120)), (minute(100), minute(100))]
        for _ in 0..<40 {
            let since = Int.random(in: -30...270, using: &random)
            periods.append((minute(since), minute(since + Int.random(in: 0...90, using: &random))))
        }
        let asked = periods
        try await db.pool.withConnection { connection in
            try connection.execute(settings)
            for (since, until) in asked {
                let expected = try connection.query(Self.definition, [.timestamp(since), .timestamp(until)])
                let expectedIDs = (0..<expected.rowCount).map { expected.string($0, 0)! }
                for limit in [1, 7, 1000] {
                    var got: [String] = [], cursor: String?
                    repeat {
                        let page = try Answers.forced(since: since, until: until, cursor: cursor, limit: limit, on: connection)
                        #expect(page.items.count <= limit)
                        got += page.items.map { $0["lock_id"]?.stringValue ?? "?" }
                        cursor = page.nextCursor
                    } while cursor != nil && got.count <= expectedIDs.count
                    #expect(
                        got == expectedIDs,
                        "since \(since?.rfc3339 ?? "nil"), until \(until?.rfc3339 ?? "nil"), limit \(limit), \(settings)")
                }
            }
        }
    }
}

/// A seeded generator, so a failure is the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
