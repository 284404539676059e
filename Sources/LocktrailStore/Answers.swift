import LocktrailCore
import LocktrailPostgres

/// One page of a list answer.
public struct AnswerPage: Sendable {
    /// The items, as the API and `--format json` print them.
    public var items: [JSONValue]
    /// Pass back to get the next page; nil on the last page.
    public var nextCursor: String?

    /// A page.
    public init(items: [JSONValue], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// The questions locktrail answers, over derived holds and writes. Shared by the CLI and the
/// HTTP API so both give the same answer; callers catch up the derivation first.
public enum Answers {
    /// The most items one page may hold.
    public static let maxLimit = 1000

    /// Throws a `QueryError` naming close matches when no event names `state`.
    public static func requireKnownState(_ state: String, on connection: PostgresConnection) throws {
        guard !state.isEmpty, !state.hasPrefix("/"), state.contains("/") else {
            throw QueryError(field: "state", "state must be given as BUCKET/KEY (the lock path Terraform prints), not '\(state)'.")
        }
        if try connection.run(NamedQuery("states_known"), [.string(state)]).bool(0, 0) == true { return }
        let r = try connection.run(NamedQuery("states_similar"))
        let known = (0..<r.rowCount).compactMap { r.string($0, 0) }
        throw QueryError(field: "state", "no events name the state '\(state)'.",
                         suggestions: StateSuggestions.closest(to: state, in: known))
    }

    /// Locks held now, oldest first, each with `age_seconds` at `now`.
    public static func current(state: String?, cursor: String?, limit: Int, now: Timestamp, on connection: PostgresConnection) throws -> AnswerPage {
        if let state { try requireKnownState(state, on: connection) }
        let (at, id) = try position(cursor)
        let r = try connection.run(NamedQuery("holds_current"), [at, id, .int(Int64(limit)), .string(state)])
        return try holdPage(r, limit: limit) { hold in withAge(hold, now: now) }
    }

    /// Who held `state` at `at`: one hold with `at`, `certainty` and `other_candidates`, or `.null`.
    public static func who(state: String, at: Timestamp, on connection: PostgresConnection) throws -> JSONValue {
        try requireKnownState(state, on: connection)
        let r = try connection.run(NamedQuery("holds_who_at"), [.string(state), .string(at.rfc3339)])
        guard r.rowCount > 0, var hold = try parse(r.string(0, 1))?.objectValue else { return .null }
        hold["at"] = .string(at.rfc3339)
        hold["certainty"] = r.bool(0, 2) == true ? "certain" : "possible"
        hold["other_candidates"] = .array((1..<max(1, r.rowCount)).compactMap { r.string($0, 0).map(JSONValue.string) })
        return .object(hold)
    }

    /// Holds that may overlap `[since, until]`, optionally of one state and holder, in time order.
    public static func history(
        state: String?, who: String?, since: Timestamp?, until: Timestamp?, cursor: String?, limit: Int, on connection: PostgresConnection
    ) throws -> AnswerPage {
        if let state { try requireKnownState(state, on: connection) }
        try requireOrder(since, until)
        let (at, id) = try position(cursor)
        let r = try connection.run(NamedQuery("holds_history"), [
            at, id, .int(Int64(limit)), .string(since?.rfc3339), .string(until?.rfc3339), .string(state), .string(who),
        ])
        return try holdPage(r, limit: limit) { $0 }
    }

    /// Force-removed locks that may overlap `[since, until]`, with their evidence, actor and reason.
    public static func forced(since: Timestamp?, until: Timestamp?, cursor: String?, limit: Int, on connection: PostgresConnection) throws -> AnswerPage {
        try requireOrder(since, until)
        let (at, id) = try position(cursor)
        let r = try connection.run(NamedQuery("holds_forced"), [at, id, .int(Int64(limit)), .string(since?.rfc3339), .string(until?.rfc3339)])
        return try holdPage(r, limit: limit) { $0 }
    }

    /// The heartbeat interval assumed for a run that declared none: the wrapper's default
    /// (`LOCKTRAIL_HEARTBEAT`, 30 s).
    public static let defaultHeartbeatSeconds: Double = 30
    /// A run is alive while it was heard from within this many of its own heartbeat intervals:
    /// one missed beat is a slow network, two and a half is a dead run.
    public static let heartbeatsBeforeSilent: Double = 2.5

    /// Locks held for longer than `olderThan` seconds at `now`, with whether the holder's run is alive.
    public static func stale(olderThan: Int64, cursor: String?, limit: Int, now: Timestamp, on connection: PostgresConnection) throws -> AnswerPage {
        let (at, id) = try position(cursor)
        let cutoff = now.adding(microseconds: -olderThan * 1_000_000)
        let r = try connection.run(NamedQuery("holds_stale"), [at, id, .int(Int64(limit)), .string(cutoff.rfc3339)])
        var row = 0
        return try holdPage(r, limit: limit) { hold in
            defer { row += 1 }
            var o = withAge(hold, now: now).objectValue ?? [:]
            let kind = r.string(row, 3)
            let last = r.string(row, 4).flatMap(Timestamp.init(parsing:))
            let interval = r.string(row, 5).flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? defaultHeartbeatSeconds
            let silence = heartbeatsBeforeSilent * interval
            var alive: JSONValue = .null
            var status = "unknown"
            if let kind, let last {
                if kind == EventKind.runFinished.rawValue {
                    alive = false
                    status = "finished"
                } else if Double(now.microseconds - last.microseconds) <= silence * 1_000_000 {
                    alive = true
                    status = "running"
                } else {
                    alive = false
                    status = "silent"
                }
            }
            o["holder_alive"] = alive
            o["holder_run_status"] = .string(status)
            o["holder_last_seen"] = .optional(last?.rfc3339)
            return .object(o)
        }
    }

    /// State writes in log order, optionally of one state, only unlocked ones, in `[since, until]`.
    public static func writes(
        state: String?, unlockedOnly: Bool, since: Timestamp?, until: Timestamp?, cursor: String?, limit: Int,
        on connection: PostgresConnection
    ) throws -> AnswerPage {
        if let state { try requireKnownState(state, on: connection) }
        try requireOrder(since, until)
        var after: Int64 = 0
        if let cursor {
            guard let seq = Int64(cursor), seq >= 0 else {
                throw QueryError(field: "cursor", "cursor is not one this server returned; pass next_cursor back unchanged.")
            }
            after = seq
        }
        let r = try connection.run(NamedQuery("writes_list"), [
            .int(after), .int(Int64(limit)), .string(state), .bool(unlockedOnly), .string(since?.rfc3339), .string(until?.rfc3339),
        ])
        let items = try (0..<r.rowCount).compactMap { try parse(r.string($0, 1)) }
        let next = r.rowCount == limit ? r.string(r.rowCount - 1, 0) : nil
        return AnswerPage(items: items, nextCursor: next)
    }

    /// One page of events for export, after `seq`, observed in `[since, until)`.
    public static func exportPage(after seq: Int64, since: Timestamp?, until: Timestamp?, limit: Int, on connection: PostgresConnection) throws -> [StoredEvent] {
        let r = try connection.run(NamedQuery("events_export"), [.int(seq), .string(since?.rfc3339), .string(until?.rfc3339), .int(Int64(limit))])
        return try (0..<r.rowCount).map { try EventLog.decode(r, row: $0) }
    }

    static func requireOrder(_ since: Timestamp?, _ until: Timestamp?) throws {
        if let since, let until, until < since {
            throw QueryError(field: "until", "until (\(until.rfc3339)) is before since (\(since.rfc3339)).")
        }
    }

    static func position(_ cursor: String?) throws -> (PostgresValue, PostgresValue) {
        guard let cursor else { return (.string("-infinity"), .string("")) }
        let c = try PageCursor(token: cursor)
        return (.string(c.sortAt.rfc3339), .string(c.lockID))
    }

    static func holdPage(_ r: PostgresResult, limit: Int, _ transform: (JSONValue) throws -> JSONValue) throws -> AnswerPage {
        var items: [JSONValue] = []
        for row in 0..<r.rowCount {
            guard let hold = try parse(r.string(row, 2)) else { continue }
            items.append(try transform(hold))
        }
        var next: String?
        if r.rowCount == limit, let id = r.string(r.rowCount - 1, 0), let at = r.string(r.rowCount - 1, 1).flatMap(Timestamp.init(parsing:)) {
            next = PageCursor(sortAt: at, lockID: id).token
        }
        return AnswerPage(items: items, nextCursor: next)
    }

    static func withAge(_ hold: JSONValue, now: Timestamp) -> JSONValue {
        guard var o = hold.objectValue else { return hold }
        let since = (o["acquired_at"]?.stringValue ?? o["acquired_not_after"]?.stringValue).flatMap(Timestamp.init(parsing:))
        o["age_seconds"] = since.map { .int(max(0, (now.microseconds - $0.microseconds) / 1_000_000)) } ?? .null
        return .object(o)
    }

    static func parse(_ text: String?) throws -> JSONValue? {
        guard let text else { return nil }
        return try JSONParser.parse(Array(text.utf8), maxDepth: 64)
    }
}
