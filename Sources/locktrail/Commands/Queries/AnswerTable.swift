import LocktrailCore

/// Readable cells from the JSON of holds and writes, for `--format table` and `csv`.
enum AnswerTable {
    /// A column: its name and how to read its cell from an item.
    typealias Column = (String, @Sendable (JSONValue) -> String?)

    /// A string member, or nil.
    static func text(_ o: JSONValue, _ key: String) -> String? {
        switch o[key] {
        case .string(let s)?: return s
        case .number(let n)?: return CanonicalJSON.formatNumber(n)
        case .bool(let b)?: return b ? "yes" : "no"
        default: return nil
        }
    }

    /// `2025-03-04T05:06:07Z`, or `(after, not_after]` when only bounds are known.
    static func time(_ o: JSONValue, _ prefix: String) -> String? {
        if let at = text(o, prefix + "_at") { return short(at) }
        guard let notAfter = text(o, prefix + "_not_after") else { return nil }
        return "(" + (text(o, prefix + "_after").map(short) ?? "…") + ", " + short(notAfter) + "]"
    }

    static func short(_ rfc3339: String) -> String {
        Timestamp(parsing: rfc3339).map(\.rfc3339Seconds) ?? rfc3339
    }

    /// `3d4h`, `2h5m`, `40s`.
    static func age(_ o: JSONValue) -> String? {
        guard let seconds = o["age_seconds"]?.numberValue.map({ Int64($0) }) else { return nil }
        let d = seconds / 86_400, h = seconds % 86_400 / 3600, m = seconds % 3600 / 60, s = seconds % 60
        if d > 0 { return "\(d)d\(h)h" }
        if h > 0 { return "\(h)h\(m)m" }
        if m > 0 { return "\(m)m\(s)s" }
        return "\(s)s"
    }

    /// Rows for a list of holds with the named columns.
    static func holds(_ items: [JSONValue], columns: [Column]) -> Rows {
        var rows = Rows(columns: columns.map(\.0))
        for item in items {
            rows.rows.append(columns.map { $0.1(item) })
            rows.objects.append(item)
        }
        return rows
    }

    static let state: Column = ("state", { text($0, "state") })
    static let workspace: Column = ("workspace", { text($0, "workspace") })
    static let who: Column = ("who", { text($0, "who") })
    static let operation: Column = ("operation", { text($0, "operation") })
    static let acquired: Column = ("acquired", { time($0, "acquired") })
    static let since: Column = ("since", { time($0, "acquired") })
    static let released: Column = ("released", { time($0, "released") })
    static let ended: Column = ("end", { text($0, "release_kind") ?? "held" })
    static let ageColumn: Column = ("age", { age($0) })
    static let run: Column = ("run", { text($0, "run_id") })
    static let lockID: Column = ("lock_id", { text($0, "lock_id") })
    /// `MAINTENANCE: <reason>` for a maintenance lock (`locktrail lock`), empty otherwise.
    static let maintenance: Column = ("maintenance", { $0["maintenance"]?["reason"]?.stringValue.map { "MAINTENANCE: " + $0 } })
}
