/// Times and durations as people type them: RFC 3339, or relative to now (`2h`, `30m`, `7d`,
/// `yesterday`, `today`, `now`). Now is a parameter: no clock here.
public enum TimeExpression {
    /// The instant `text` names, relative to `now`; nil when it names none.
    /// `2h` means two hours ago; `yesterday` and `today` are the start of those UTC days.
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

    /// A duration such as `90s`, `30m`, `2h`, `7d`, `1w`, or a combination like `1h30m`, in seconds;
    /// nil when malformed, zero or absurdly large.
    public static func durationSeconds(_ text: String) -> Int64? {
        let t = text.trimmingWhitespace.lowercased()
        guard !t.isEmpty else { return nil }
        var total: Int64 = 0, number: Int64? = nil
        for c in t {
            if let digit = c.wholeNumberValue, c.isASCII {
                let (m, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (n, o2) = m.addingReportingOverflow(Int64(digit))
                guard !o1, !o2, n < 1_000_000_000 else { return nil }
                number = n
                continue
            }
            let unit: Int64
            switch c {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: return nil
            }
            guard let n = number else { return nil }
            total += n * unit
            number = nil
        }
        guard number == nil, total > 0, total < 100 * 366 * 86_400 else { return nil }
        return total
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
