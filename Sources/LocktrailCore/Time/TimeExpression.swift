/// Times and durations as people type them: RFC 3339, or relative to now (`2h`, `30m`, `7d`,
/// `yesterday`, `today`, `now`). Now is a parameter: no clock here.
public enum TimeExpression {
    /// Why a time option or parameter names no instant locktrail can use.
    public struct Invalid: Error, Hashable, Sendable {
        /// What is wrong, completing "--since '0000-01-01T00:00:00Z' …".
        public var reason: String
    }

    /// The instant `text` names, relative to `now`, checked to lie in years 1–9999 (UTC): what
    /// the CLI's and the API's time options accept.
    public static func resolve(_ text: String, now: Timestamp) throws(Invalid) -> Timestamp {
        guard let t = parse(text, now: now) else {
            throw Invalid(reason: "is not a time: use RFC 3339 (2025-03-04T05:06:07Z) or relative (30m, 2h, 7d, today, yesterday)")
        }
        guard t.isSupported else {
            throw Invalid(reason: "is outside the years 0001 to 9999 (UTC): use a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z")
        }
        return t
    }

    /// The instant `text` names, relative to `now`; nil when it names none. It may lie outside
    /// `Timestamp.supportedRange` (`resolve` checks that). `2h` means two hours ago; `yesterday`
    /// and `today` are the start of those UTC days.
    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        let t = text.trimmingWhitespace.lowercased()
        switch t {
        case "now": return now
        case "today": return startOfDay(now)
        case "yesterday": return startOfDay(now).adding(seconds: -86_400)
        default: break
        }
        if let seconds = durationSeconds(t) { return now.adding(microseconds: -seconds * 1_000_000) }
        return Timestamp(parsing: text.trimmingWhitespace)
    }

    /// A duration such as `90s`, `0.5s`, `30m`, `2h`, `7d`, `1w`, or a combination like `1h30m`,
    /// in seconds; a bare number is seconds when `bareNumberIsSeconds`. Nil when malformed, not
    /// positive, or longer than a century.
    public static func duration(_ text: String, bareNumberIsSeconds: Bool = false) -> Double? {
        let t = text.trimmingWhitespace.lowercased()
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        var total = 0.0
        var number = ""
        for c in t {
            if c.isASCII && (c.isNumber || c == ".") {
                number.append(c)
            } else if let unit = units[c], let value = Double(number) {
                total += value * unit
                number = ""
            } else {
                return nil
            }
        }
        if !number.isEmpty {
            guard bareNumberIsSeconds, total == 0, let value = Double(number) else { return nil }
            total = value
        }
        guard total > 0, total.isFinite, total < 100 * 366 * 86_400 else { return nil }
        return total
    }

    /// `duration(text)` in whole seconds, for relative times; nil below one second.
    public static func durationSeconds(_ text: String) -> Int64? {
        guard let seconds = duration(text), seconds >= 1 else { return nil }
        return Int64(seconds.rounded())
    }

    static func startOfDay(_ t: Timestamp) -> Timestamp {
        let day: Int64 = 86_400_000_000
        let micros = t.microseconds
        return Timestamp(microsecondsSinceEpoch: micros >= 0 ? micros / day * day : (micros - day + 1) / day * day)
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
