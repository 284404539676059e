import LocktrailCore
import Testing

@Suite("Time expressions")
struct TimeExpressionTests {
    @Test("durations", arguments: [
        ("30s", 30.0), ("5m", 300), ("1h", 3600), ("2d", 172_800), ("1w", 604_800), ("0.5s", 0.5), ("1h30m", 5400),
        (" 2H ", 7200),
    ])
    func durations(_ text: String, _ seconds: Double) {
        #expect(TimeExpression.duration(text) == seconds)
        #expect(TimeExpression.duration(text, bareNumberIsSeconds: true) == seconds)
    }

    @Test("a bare number is seconds only where that is asked for")
    func bareNumbers() {
        #expect(TimeExpression.duration("45") == nil)
        #expect(TimeExpression.duration("45", bareNumberIsSeconds: true) == 45)
        #expect(TimeExpression.duration("1m30", bareNumberIsSeconds: true) == nil)
    }

    @Test("unreadable durations", arguments: ["", "0s", "-5m", "soon", "5x", "m", "1..5s", "0", "100000000000d"])
    func badDurations(_ text: String) {
        #expect(TimeExpression.duration(text, bareNumberIsSeconds: true) == nil)
    }

    @Test("relative times and names of days")
    func relative() throws {
        let now = try #require(Timestamp(parsing: "2026-11-23T10:30:00Z"))
        #expect(TimeExpression.parse("2h", now: now) == Timestamp(parsing: "2026-11-23T08:30:00Z"))
        #expect(TimeExpression.parse("1h30m", now: now) == Timestamp(parsing: "2026-11-23T09:00:00Z"))
        #expect(TimeExpression.parse("yesterday", now: now) == Timestamp(parsing: "2026-11-22T00:00:00Z"))
        #expect(TimeExpression.parse("today", now: now) == Timestamp(parsing: "2026-11-23T00:00:00Z"))
        #expect(TimeExpression.parse("2026-01-02T03:04:05Z", now: now) == Timestamp(parsing: "2026-01-02T03:04:05Z"))
        #expect(TimeExpression.parse("45", now: now) == nil)
        #expect(TimeExpression.parse("soon", now: now) == nil)
    }
}
