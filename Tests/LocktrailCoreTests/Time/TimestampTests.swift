import LocktrailCore
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test(
        "RFC 3339 and PostgreSQL output parse to the same instant",
        arguments: [
            "2025-03-04T05:06:07.123456Z", "2025-03-04 05:06:07.123456+00", "2025-03-04T06:06:07.123456+01:00",
            "2025-03-04 00:06:07.123456-05", "2025-03-04t05:06:07.123456z",
        ])
    func parse(_ text: String) throws {
        #expect(try #require(Timestamp(parsing: text)).rfc3339 == "2025-03-04T05:06:07.123456Z")
    }

    @Test(
        "invalid times are refused",
        arguments: [
            "", "2025-03-04", "2025-13-04T05:06:07Z", "2025-02-30T05:06:07Z", "2025-03-04T25:06:07Z", "2025-03-04T05:06:07",
            "2025-03-04T05:06:07.Z", "2025-03-04T05:06:07.1234567890Z", "2025-03-04T05:06:07Zjunk",
        ])
    func invalid(_ text: String) {
        #expect(Timestamp(parsing: text) == nil)
    }

    @Test("formatting round-trips across eras", arguments: [Int64(0), 951_782_400_000_000, -1, 4_102_444_800_000_000, 1_741_064_767_123_456])
    func roundTrip(_ micros: Int64) throws {
        let t = Timestamp(microsecondsSinceEpoch: micros)
        #expect(try #require(Timestamp(parsing: t.rfc3339)) == t)
    }

    @Test("the supported range is years 1 to 9999 in UTC, to the microsecond")
    func supportedRange() throws {
        #expect(Timestamp.supportedRange.lowerBound == Timestamp(parsing: "0001-01-01T00:00:00Z"))
        #expect(Timestamp.supportedRange.upperBound == Timestamp(parsing: "9999-12-31T23:59:59.999999Z"))
        #expect(Timestamp.supportedRange.lowerBound.rfc3339 == "0001-01-01T00:00:00.000000Z")
        #expect(Timestamp.supportedRange.upperBound.rfc3339 == "9999-12-31T23:59:59.999999Z")
        #expect(!Timestamp.supportedRange.lowerBound.adding(microseconds: -1).isSupported)
        #expect(!Timestamp.supportedRange.upperBound.adding(microseconds: 1).isSupported)
    }

    @Test("leap day")
    func leapDay() {
        #expect(Timestamp(parsing: "2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp(parsing: "2100-02-29T00:00:00Z") == nil)
    }
}
