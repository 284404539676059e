import Foundation
import Hummingbird
import LocktrailCore
import LocktrailCrypto
import LocktrailStore

/// The query answers under `/v1`: the same answers as the CLI, from the store's `AnswerStore`.
struct QueryRoutes {
    let store: Store
    let freshness: DerivationFreshness

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("current") { request, _ in
            try await page(request) { q, answers in
                try await answers.current(state: q.string("state"), cursor: q.string("cursor"), limit: q.limit(), now: q.now)
            }
        }
        group.get("who") { request, _ in
            let q = QueryParameters(request, now: Self.now)
            let state = try q.required("state")
            guard let at = try q.time("at") else { throw QueryError(field: "at", "at is required.") }
            try await freshness.ensureFresh()
            let answer = try await store.answers.who(state: state, at: at)
            return JSONBody.response(answer)
        }
        group.get("holds") { request, _ in
            try await page(request) { q, answers in
                try await answers.history(
                    state: q.string("state"), who: q.string("who"), since: q.time("since"), until: q.time("until"),
                    cursor: q.string("cursor"), limit: q.limit())
            }
        }
        group.get("holds/{lock_id}") { _, context in
            let lockID = try context.parameters.require("lock_id")
            guard lockID.utf8.count <= 1024 else { throw QueryError(field: "lock_id", "lock_id is longer than 1024 bytes.") }
            guard !lockID.unicodeScalars.contains(where: { $0.value == 0 }) else {
                throw QueryError(field: "lock_id", "lock_id contains a NUL character.")
            }
            try await freshness.ensureFresh()
            guard var hold = try await store.answers.hold(lockID: lockID)?.objectValue else {
                throw APIError(.notFound, "no source saw a lock with ID '\(lockID)'", field: "lock_id")
            }
            let events = try await store.answers.events(at: JSONValue.object(hold).evidenceSeqs)
            hold["events"] = .array(events.map(\.json))
            return JSONBody.response(.object(hold))
        }
        group.get("forced") { request, _ in
            let q = QueryParameters(request, now: Self.now)
            switch try q.string("format") ?? "json" {
            case "json": break
            case "csv":
                let since = try q.time("since"), until = try q.time("until")
                try await freshness.ensureFresh()
                var holds: [JSONValue] = [], cursor: String?
                repeat {
                    let page = try await store.answers.forced(since: since, until: until, cursor: cursor, limit: Answers.maxLimit)
                    holds += page.items
                    cursor = page.nextCursor
                } while cursor != nil
                return ForcedReport.response(holds)
            default: throw QueryError(field: "format", "format must be json or csv.")
            }
            return try await page(request) { q, answers in
                try await answers.forced(since: q.time("since"), until: q.time("until"), cursor: q.string("cursor"), limit: q.limit())
            }
        }
        group.get("stale") { request, _ in
            try await page(request) { q, answers in
                let text = try q.string("older_than") ?? "1h"
                guard let seconds = TimeExpression.durationSeconds(text) else {
                    throw QueryError(field: "older_than", "older_than '\(text)' is not a duration: use 90s, 30m, 2h, 7d or 1h30m.")
                }
                return try await answers.stale(olderThan: seconds, cursor: q.string("cursor"), limit: q.limit(), now: q.now)
            }
        }
        group.get("writes") { request, _ in
            try await page(request) { q, answers in
                try await answers.writes(
                    state: q.string("state"), unlockedOnly: q.bool("unlocked"), since: q.time("since"), until: q.time("until"),
                    cursor: q.string("cursor"), limit: q.limit())
            }
        }
        group.get("events") { request, _ in
            let q = QueryParameters(request, now: Self.now)
            let after = try q.integer("cursor", default: 0, range: 0...Int64.max)
            let (kind, state, limit, unmatched) = (try q.string("kind"), try q.string("state"), try q.limit(), try q.bool("unmatched"))
            // Unmatched means "no hold for its lock ID": the holds must include every event first.
            if unmatched { try await freshness.ensureFresh() }
            let events = try await store.events.list(after: after, kind: kind, state: state, limit: limit, unmatched: unmatched)
            let next: JSONValue = events.count == limit ? .string(String(events.last!.seq)) : .null
            return JSONBody.response(["items": .array(events.map(\.json)), "next_cursor": next])
        }
        group.get("export") { request, _ in try export(request) }
    }

    static var now: Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    /// Parses, catches up, answers one page and wraps it as `{"items", "next_cursor"}`.
    private func page(
        _ request: Request, _ answer: (QueryParameters, AnswerStore) async throws -> AnswerPage
    ) async throws -> Response {
        let q = QueryParameters(request, now: Self.now)
        try await freshness.ensureFresh()
        let page = try await answer(q, store.answers)
        // The items go out as the store read them (canonical already): no parse and re-encode per hold.
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: page.encodedBody)))
    }

    /// Streams the events observed in [since, until) as JSON lines or CSV, a page at a time, so
    /// any range takes constant memory on the server.
    private func export(_ request: Request) throws -> Response {
        let q = QueryParameters(request, now: Self.now)
        let format = q.values["format"] ?? "jsonl"
        guard format == "jsonl" || format == "csv" else { throw QueryError(field: "format", "format must be jsonl or csv.") }
        let since = try q.time("since"), until = try q.time("until")
        if let since, let until, until < since { throw QueryError(field: "until", "until is before since.") }
        let events = store.events
        let body = ResponseBody { writer in
            var after: Int64 = 0
            if format == "csv" { try await writer.write(ByteBuffer(string: EventExport.csvHeader)) }
            while true {
                let position = after
                let page = try await events.exportPage(after: position, since: since, until: until, limit: EventExport.pageSize)
                var buffer = ByteBuffer()
                for stored in page { buffer.writeString(format == "csv" ? EventExport.csvLine(stored) : EventExport.jsonLine(stored)) }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
                guard let last = page.last, page.count == EventExport.pageSize else { break }
                after = last.seq
            }
            try await writer.finish(nil)
        }
        let type = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson"
        return Response(status: .ok, headers: [.contentType: type], body: body)
    }
}
