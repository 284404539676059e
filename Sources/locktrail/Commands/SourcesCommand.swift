import ArgumentParser
import LocktrailCore
import LocktrailStore

/// `locktrail sources`: every source, who collects it, its last success and its lag.
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List every source: its owner (the collector holding its lease), its last success and its lag.",
        discussion: """
            OWNER is host:pid of the collector whose lease on the source still runs ("-" when none
            does: no collector runs it, or its owner died and the lease has not lapsed into
            another's hands yet). LAG is how far behind the log may be, by the database's clock:
            for a source read through a DynamoDB stream or an SQS queue of S3 notifications, the
            time since the stream or queue was certainly read (a listener polling an idle queue is
            caught up at each receive); for any other, the time since its last successful
            observation completed. Leases that are no source's (the signer of a checkpoint chain,
            `checkpoints:PLACE`) are listed with kind `lease`, the readers of queues (`queue:URL`)
            with kind `queue`.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat?

    func run() async throws {
        let store = try await db.openCurrentStore(maxConnections: 1)
        var rows = Rows(columns: ["source", "kind", "status", "owner", "token", "last_success", "lag", "failures", "last_error"])
        for s in try await store.sources.list() {
            let owner = s.owner.map { "\($0.host):\($0.pid)" }
            rows.rows.append([
                s.source, s.kind, s.status, owner, s.owner.map { String($0.token) }, s.lastSuccess?.rfc3339Seconds,
                s.lagSeconds.map(Self.duration), s.failures > 0 ? String(s.failures) : nil, s.lastError,
            ])
            rows.objects.append([
                "source": .string(s.source), "kind": .string(s.kind), "status": .string(s.status),
                "owner": s.owner.map {
                    [
                        "host": .string($0.host), "pid": .number(Double($0.pid)), "lease_token": .number(Double($0.token)),
                        "lease_expires_at": .string($0.expiresAt.rfc3339),
                    ]
                } ?? .null,
                "last_success": .optional(s.lastSuccess?.rfc3339), "lag_seconds": s.lagSeconds.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
                "failures": .number(Double(s.failures)), "last_error": .optional(s.lastError), "items": .number(Double(s.items)),
                "push": s.push.map {
                    [
                        "via": .string($0.via), "queue": .optional($0.queue), "read_through": .string($0.readThrough.rfc3339),
                        "newest_message_sent_at": .optional($0.newestMessageSentAt?.rfc3339),
                    ]
                } ?? .null,
            ])
        }
        rows.print(as: .resolve(format))
    }

    /// `3d4h`, `2h5m`, `4m10s`, `12s`.
    static func duration(_ seconds: Double) -> String {
        let total = Int64(seconds)
        let d = total / 86_400, h = total % 86_400 / 3600, m = total % 3600 / 60, s = total % 60
        if d > 0 { return "\(d)d\(h)h" }
        if h > 0 { return "\(h)h\(m)m" }
        if m > 0 { return "\(m)m\(s)s" }
        return "\(s)s"
    }
}
