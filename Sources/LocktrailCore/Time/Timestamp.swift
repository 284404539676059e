/// A UTC instant with microsecond resolution, the resolution PostgreSQL's `timestamptz` keeps.
///
/// Lock records carry nanoseconds in `Created`; the original text is kept beside the event, and
/// this type truncates to what the database stores so a hash computed before storage can be
/// recomputed from the stored row.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    /// The instant `microseconds` after the Unix epoch.
    public init(microsecondsSinceEpoch microseconds: Int64) { self.microseconds = microseconds }

    /// The instant `seconds` after the Unix epoch, truncated to microseconds.
    public init(secondsSinceEpoch seconds: Double) {
        self.microseconds = Int64((seconds * 1_000_000).rounded(.down))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// The instants locktrail accepts from outside: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z.
    /// RFC 3339 has four-digit years and PostgreSQL no year 0, so a time beyond them would be
    /// refused by the database or stored and then not read back (breaking `verify` and every list).
    public static let supportedRange =
        Timestamp(microsecondsSinceEpoch: -62_135_596_800_000_000)...Timestamp(microsecondsSinceEpoch: 253_402_300_799_999_999)

    /// Whether this instant lies in years 1–9999 (UTC), the `supportedRange`.
    public var isSupported: Bool { Self.supportedRange.contains(self) }

    /// Seconds since the Unix epoch.
    public var secondsSinceEpoch: Double { Double(microseconds) / 1_000_000 }

    /// This instant moved by `microseconds`.
    public func adding(microseconds delta: Int64) -> Timestamp { Timestamp(microsecondsSinceEpoch: microseconds + delta) }

    /// This instant moved by `seconds`.
    public func adding(seconds: Double) -> Timestamp { adding(microseconds: Int64(seconds * 1_000_000)) }

    /// The UTC calendar fields of this instant (proleptic Gregorian): the one civil-date
    /// conversion in locktrail, used for RFC 3339 here and for AWS's date spellings.
    public var utcFields: (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, microsecond: Int64) {
        let days = microseconds >= 0 ? microseconds / 86_400_000_000 : (microseconds - 86_399_999_999) / 86_400_000_000
        var rest = microseconds - days * 86_400_000_000
        let micros = rest % 1_000_000
        rest /= 1_000_000
        let (year, month, day) = Self.civil(fromDays: days)
        return (year, month, day, rest / 3600, (rest / 60) % 60, rest % 60, micros)
    }

    /// `20150830T123600Z`, the form of SigV4's `X-Amz-Date`.
    public var basicISO8601: String {
        let f = utcFields
        return pad(f.year, 4) + pad(f.month, 2) + pad(f.day, 2) + "T" + pad(f.hour, 2) + pad(f.minute, 2) + pad(f.second, 2) + "Z"
    }

    /// RFC 3339 in UTC with exactly six fractional digits, e.g. `2025-03-04T05:06:07.123456Z`.
    public var rfc3339: String {
        let f = utcFields
        return pad(f.year, 4) + "-" + pad(f.month, 2) + "-" + pad(f.day, 2) + "T" + pad(f.hour, 2) + ":" + pad(f.minute, 2)
            + ":" + pad(f.second, 2) + "." + pad(f.microsecond, 6) + "Z"
    }

    /// RFC 3339 in UTC, whole seconds only, e.g. `2025-03-04T05:06:07Z`.
    public var rfc3339Seconds: String { String(rfc3339.prefix(19)) + "Z" }

    public var description: String { rfc3339 }

    /// Parses RFC 3339 (`T` or space separator, 0–9 fractional digits, `Z` or a numeric offset)
    /// and PostgreSQL's ISO output (`2025-03-04 05:06:07.12+00`). Digits past microseconds are
    /// truncated. Returns nil for anything else.
    public init?(parsing text: String) {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2) else { return nil }
        guard i < b.count, b[i] == 84 || b[i] == 116 || b[i] == 32 else { return nil }
        i += 1
        guard let hour = digits(2), expect(58), let minute = digits(2), expect(58), let second = digits(2) else { return nil }
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var micros: Int64 = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if count < 6 { micros = micros * 10 + Int64(b[i] - 48) }
                count += 1
                i += 1
            }
            guard count >= 1, count <= 9 else { return nil }
            if count < 6 { for _ in count..<6 { micros *= 10 } }
        }
        var offsetSeconds: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            let sign: Int64 = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = digits(2) else { return nil }
            var om: Int64 = 0
            if i < b.count {
                if b[i] == 58 { i += 1 }
                guard let m = digits(2) else { return nil }
                om = m
            }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        self.microseconds = seconds * 1_000_000 + micros
    }

    // Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
