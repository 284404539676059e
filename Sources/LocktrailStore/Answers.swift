public import LocktrailCore
package import LocktrailPostgres

/// One page of a list answer.
public struct AnswerPage: Sendable {
    /// Each item's canonical JSON (`CanonicalJSON.encode`), as the API writes it.
    public var encodedItems: [[UInt8]]
    /// Pass back to get the next page; nil on the last page.
    public var nextCursor: String?

    /// The items, as the API and `--format json` print them.
    public var items: [JSONValue] { encodedItems.map { (try? JSONParser.parse($0, maxDepth: 256)) ?? .null } }

    /// A page.
    public init(items: [JSONValue], nextCursor: String?) {
        self.init(encodedItems: items.map { CanonicalJSON.encode($0) }, nextCursor: nextCursor)
    }

    /// A page of items already in canonical form.
    public init(encodedItems: [[UInt8]], nextCursor: String?) {
        self.encodedItems = encodedItems
        self.nextCursor = nextCursor
    }

    /// `{"items":[…],"next_cursor":…}` and a newline: the bytes `CanonicalJSON.encode` gives the
    /// page's object, with the items spliced in as they are.
    public var encodedBody: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedItems.reduce(40) { $0 + $1.count + 1 })
        out.append(contentsOf: #"{"items":["#.utf8)
        for (index, item) in encodedItems.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item)
        }
        out.append(contentsOf: #"],"next_cursor":"#.utf8)
        CanonicalJSON.append(.optional(nextCursor), to: &out)
        out.append(contentsOf: "}\n".utf8)
        return out
    }
}

/// The questions locktrail answers, over derived holds and writes, on one connection. The CLI and
/// the HTTP API ask through `AnswerStore`, so both give the same answer; callers catch up the derivation first.
public enum Answers {
    /// The most items one page may hold.
    public static let maxLimit = 1000

    /// Throws a `QueryError` naming close matches when no event names `state`.
    package static func requireKnownState(_ state: String, on connection: PostgresConnection) throws {
        guard !state.isEmpty, !state.hasPrefix("/"), state.contains("/") else {
            throw QueryError(field: "state", "state must be given as BUCKET/KEY (the lock path Terraform prints), not '\(state)'.")
        }
        if try connection.first(StateStatements.Known(state: state))?.known == true { return }
        let known = try connection.records(StateStatements.Similar()).map(\.state)
        throw QueryError(
            field: "state", "no events name the state '\(state)'.",
            suggestions: StateSuggestions.closest(to: state, in: known))
    }

    /// Locks held now, oldest first, each with `age_seconds` at `now`.
    package static func current(state: String?, cursor: String?, limit: Int, now: Timestamp, on connection: PostgresConnection) throws -> AnswerPage {
        if let state { try requireKnownState(state, on: connection) }
        let holds = try connection.records(HoldStatements.Current(after: try position(cursor), limit: limit, state: state))
        return holdPage(holds, limit: limit, hold: { $0 }) { withAge($0.doc, now: now) }
    }

    /// Who held `state` at `at`: one hold with `at`, `certainty` and `other_candidates`, or `.null`.
    package static func who(state: String, at: Timestamp, on connection: PostgresConnection) throws -> JSONValue {
        try requireKnownState(state, on: connection)
        let candidates = try connection.records(HoldStatements.WhoAt(state: state, at: at))
        guard let best = candidates.first, var hold = best.doc.objectValue else { return .null }
        hold["at"] = .string(at.rfc3339)
        hold["certainty"] = best.certain ? "certain" : "possible"
        hold["other_candidates"] = .array(candidates.dropFirst().map { .string($0.lockID) })
        return .object(hold)
    }

    /// Holds that may overlap `[since, until]`, optionally of one state and holder, in time order.
    package static func history(
        state: String?, who: String?, since: Timestamp?, until: Timestamp?, cursor: String?, limit: Int, on connection: PostgresConnection
    ) throws -> AnswerPage {
        if let state { try requireKnownState(state, on: connection) }
        try requireOrder(since, until)
        let holds = try connection.records(
            HoldStatements.History(
                after: try position(cursor), limit: limit, since: since, until: until, state: state, who: who))
        return encodedHoldPage(holds, limit: limit)
    }

    /// Force-removed locks that may overlap `[since, until]`, with their evidence, actor and reason.
    package static func forced(
        since: Timestamp?, until: Timestamp?, cursor: String?, limit: Int, on connection: PostgresConnection
    ) throws -> AnswerPage {
        try requireOrder(since, until)
        let holds = try connection.records(HoldStatements.Forced(after: try position(cursor), limit: limit, since: since, until: until))
        return encodedHoldPage(holds, limit: limit)
    }

    /// The heartbeat interval assumed for a run that declared none: the wrapper's default
    /// (`LOCKTRAIL_HEARTBEAT`, 30 s).
    public static let defaultHeartbeatSeconds: Double = 30
    /// A run is alive while it was heard from within this many of its own heartbeat intervals:
    /// one missed beat is a slow network, two and a half is a dead run.
    public static let heartbeatsBeforeSilent: Double = 2.5

    /// Locks held for longer than `olderThan` seconds at `now`, with whether the holder's run is alive.
    package static func stale(olderThan: Int64, cursor: String?, limit: Int, now: Timestamp, on connection: PostgresConnection) throws -> AnswerPage {
        let cutoff = now.adding(microseconds: -olderThan * 1_000_000)
        let rows = try connection.records(HoldStatements.Stale(after: try position(cursor), limit: limit, heldSince: cutoff))
        return holdPage(rows, limit: limit, hold: \.hold) { row in
            var o = withAge(row.hold.doc, now: now).objectValue ?? [:]
            let kind = row.runKind
            let last = row.runLastSeen
            let interval = row.heartbeatSeconds.flatMap { $0 > 0 ? $0 : nil } ?? defaultHeartbeatSeconds
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
    package static func writes(
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
        let writes = try connection.records(
            WriteStatements.List(
                after: after, limit: limit, state: state, unlockedOnly: unlockedOnly, since: since, until: until))
        let next = writes.count == limit ? writes.last.map { String($0.seq) } : nil
        return AnswerPage(items: writes.map(\.doc), nextCursor: next)
    }

    /// One page of events for export, after `seq`, observed in `[since, until)`.
    package static func exportPage(
        after seq: Int64, since: Timestamp?, until: Timestamp?, limit: Int, on connection: PostgresConnection
    ) throws -> [StoredEvent] {
        try connection.records(EventStatements.Export(after: seq, since: since, until: until, limit: limit))
    }

    static func requireOrder(_ since: Timestamp?, _ until: Timestamp?) throws {
        if let since, let until, until < since {
            throw QueryError(field: "until", "until (\(until.rfc3339)) is before since (\(since.rfc3339)).")
        }
    }

    static func position(_ cursor: String?) throws -> PageCursor? {
        try cursor.map { try PageCursor(token: $0) }
    }

    /// A page of holds; a full page ends with the cursor after its last hold.
    static func holdPage<R>(
        _ rows: [R], limit: Int, hold: (R) -> HoldStatements.Listed, _ item: (R) -> JSONValue
    ) -> AnswerPage {
        var next: String?
        if rows.count == limit, let last = rows.last.map(hold) { next = PageCursor(sortAt: last.sortAt, lockID: last.lockID).token }
        return AnswerPage(items: rows.map(item), nextCursor: next)
    }

    /// A page of holds as stored, unparsed.
    static func encodedHoldPage(_ rows: [HoldStatements.Listed], limit: Int) -> AnswerPage {
        var next: String?
        if rows.count == limit, let last = rows.last { next = PageCursor(sortAt: last.sortAt, lockID: last.lockID).token }
        return AnswerPage(encodedItems: rows.map(\.document.bytes), nextCursor: next)
    }

    static func withAge(_ hold: JSONValue, now: Timestamp) -> JSONValue {
        guard var o = hold.objectValue else { return hold }
        let since = (o["acquired_at"]?.stringValue ?? o["acquired_not_after"]?.stringValue).flatMap(Timestamp.init(parsing:))
        o["age_seconds"] = since.map { .int(max(0, (now.microseconds - $0.microseconds) / 1_000_000)) } ?? .null
        return .object(o)
    }
}
