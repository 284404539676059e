import LocktrailCore
import Testing

@Suite("Time expressions")
struct TimeExpressionTests {
    @Test(
        "durations",
        arguments: [
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

    @Test(
        "times outside years 1–9999 (UTC) are refused with a reason that says so",
        arguments: [
            "0000-06-01T00:00:00Z", "0000-12-31T23:59:59.999999Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
        ])
    func outsideTheYears(_ text: String) throws {
        let now = try #require(Timestamp(parsing: "2026-11-23T10:30:00Z"))
        #expect(TimeExpression.parse(text, now: now) != nil)  // a well-formed time …
        #expect(throws: TimeExpression.Invalid.self) { try TimeExpression.resolve(text, now: now) }  // … that cannot be used
        do {
            _ = try TimeExpression.resolve(text, now: now)
        } catch {
            #expect(error.reason.contains("outside the years 0001 to 9999"))
        }
    }

    @Test(
        "the first and last instants of years 1–9999 are accepted",
        arguments: [
            "0001-01-01T00:00:00Z", "0001-01-01T01:00:00+01:00", "9999-12-31T23:59:59.999999Z", "9999-12-31T22:59:59-01:00", "now", "7d",
        ])
    func edges(_ text: String) throws {
        let now = try #require(Timestamp(parsing: "2026-11-23T10:30:00Z"))
        #expect(try TimeExpression.resolve(text, now: now) == TimeExpression.parse(text, now: now))
    }

    @Test("a malformed time is still called one")
    func malformed() throws {
        let now = try #require(Timestamp(parsing: "2026-11-23T10:30:00Z"))
        do {
            _ = try TimeExpression.resolve("soon", now: now)
            Issue.record("'soon' resolved")
        } catch {
            #expect(error.reason.hasPrefix("is not a time"))
        }
    }
}
