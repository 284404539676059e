import ArgumentParser
import Foundation
import LocktrailCore
import LocktrailCrypto
import LocktrailStore

/// `locktrail events`: the raw event log, oldest first.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List the raw events of the log, oldest first.")

    @OptionGroup var db: DatabaseOptions

    @Option(name: .long, help: "Only events of this kind (e.g. lock.acquired, state.written).")
    var kind: String?

    @Option(name: .long, help: ArgumentHelp("Only events of this state, named by its lock path.", valueName: "bucket/key"))
    var state: String?

    @Option(name: .long, help: "Only events after this position in the log.")
    var after: Int64 = 0

    @Flag(
        name: .long,
        help: "Only events about a lock ID no source saw (no hold exists for it): a mistyped unlock, a report about a lock never observed.")
    var unmatched = false

    @Option(name: .long, help: "At most this many events.")
    var limit: Int = 1000

    @Option(name: .long, help: "Output format: table, json or csv (default: table on a terminal, json otherwise).")
    var format: OutputFormat?

    @OptionGroup var remote: ServerOptions

    func validate() throws {
        guard limit > 0, limit <= 1_000_000 else { throw ValidationError("--limit must be between 1 and 1000000") }
        guard after >= 0 else { throw ValidationError("--after must not be negative") }
    }

    func run() async throws {
        var rows = Rows(columns: ["seq", "kind", "when", "state", "lock_id", "who", "source"])
        if let client = remote.client() {
            // Pages of the server's /v1/events, as many as --limit asks for.
            var cursor: String? = after > 0 ? String(after) : nil
            var remaining = limit
            while remaining > 0 {
                let page = try await client.page(
                    path: "/v1/events",
                    parameters: [
                        ("kind", kind), ("state", state), ("limit", String(min(remaining, Answers.maxLimit))), ("cursor", cursor),
                        ("unmatched", unmatched ? "true" : nil),
                    ])
                for item in page.items {
                    let when =
                        item["occurred_at"]?.stringValue
                        ?? "(\(item["occurred_after"]?.stringValue ?? "…"), \(item["occurred_not_after"]?.stringValue ?? "?")]"
                    rows.rows.append([
                        item["seq"]?.numberValue.map { String(Int64($0)) }, item["kind"]?.stringValue, when, item["state"]?.stringValue,
                        item["lock_id"]?.stringValue, item["details"]?["who"]?.stringValue, item["source"]?.stringValue,
                    ])
                    rows.objects.append(item)
                }
                remaining -= page.items.count
                guard let next = page.nextCursor, !page.items.isEmpty else { break }
                cursor = next
            }
            rows.print(as: .resolve(format))
            return
        }
        let store = try await db.openCurrentStore(maxConnections: 1)
        // Unmatched means "no hold for its lock ID": the holds must include every event first.
        if unmatched { try await store.derivation.catchUp() }
        let events = try await store.events.list(after: after, kind: kind, state: state, limit: limit, unmatched: unmatched)
        for stored in events {
            let e = stored.event
            rows.rows.append([
                String(stored.seq), e.kind.rawValue, e.time.display, e.state, e.lockID, e.details["who"]?.stringValue, e.source,
            ])
            rows.objects.append(stored.json)
        }
        rows.print(as: .resolve(format))
    }
}

extension EventTime {
    /// `2025-03-04T05:06:07Z` when exact, `(after, not_after]` otherwise.
    var display: String {
        switch self {
        case .exact(let t): return t.rfc3339
        case .between(let after, let notAfter): return "(\(after?.rfc3339 ?? "…"), \(notAfter.rfc3339)]"
        }
    }
}
