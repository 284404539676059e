import ArgumentParser
import Foundation
import LocktrailCore
import LocktrailHTTP
import LocktrailNotifications
import LocktrailStore

/// `locktrail notifications list|retry|test`: the outbox of `serve --notifications`.
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications", abstract: "List, retry and test the webhook notifications of `serve --notifications`.",
        subcommands: [List.self, Retry.self, Test.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List outbox entries, oldest first.")

        @OptionGroup var db: DatabaseOptions

        @Option(name: .long, help: "Only entries that are pending, delivered or dead.")
        var status: String?

        @Option(name: .long, help: "At most this many entries.")
        var limit: Int = 1000

        @Option(name: .long, help: "Output format: table, json or csv.")
        var format: OutputFormat?

        func validate() throws {
            if let status, NotificationStatus(rawValue: status) == nil { throw ValidationError("--status must be pending, delivered or dead") }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
        }

        func run() async throws {
            let store = try await db.openCurrentStore(maxConnections: 1)
            let entries = try await store.notifications.list(status: status.flatMap(NotificationStatus.init(rawValue:)), limit: limit)
            var rows = Rows(columns: ["id", "webhook", "kind", "status", "attempts", "created_at", "last_error", "summary"])
            for e in entries {
                rows.rows.append([e.id, e.webhook, e.kind, e.status, String(e.attempts), e.createdAt.rfc3339Seconds, e.lastError ?? "-", e.summary])
                rows.objects.append(e.json)
            }
            rows.print(as: .resolve(format))
            await store.close()
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a dead letter (or a pending entry) due now, with a fresh count of attempts.",
            discussion: "The notifier of a running `serve --notifications` sends it at its next pass.")

        @OptionGroup var db: DatabaseOptions

        @Argument(help: "The delivery id (`notifications list`).")
        var id: String?

        @Flag(name: .long, help: "Every dead letter.")
        var allDead = false

        func validate() throws {
            guard (id != nil) != allDead else { throw ValidationError("give a delivery id or --all-dead") }
        }

        func run() async throws {
            let store = try await db.openCurrentStore(maxConnections: 1)
            let retried = try await store.notifications.retry(id: allDead ? nil : id)
            await store.close()
            if let id, retried.isEmpty {
                Terminal.note("no pending or dead notification has the id \(id)")
                throw ExitCode(2)
            }
            for id in retried { print(id) }
            Terminal.note("\(retried.count) notification\(retried.count == 1 ? "" : "s") due again")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test notification to each webhook of a notifications file, now, and say what each answered.",
            discussion: "Nothing is written to the outbox. Exits 1 when a webhook did not accept it.")

        @Option(name: .long, help: ArgumentHelp("The notifications file (as for `serve --notifications`).", valueName: "file"))
        var notifications: String

        @Option(name: .long, help: "Only the webhook with this name.")
        var webhook: String?

        func run() async throws {
            let configuration: NotificationConfiguration
            do {
                configuration = try NotificationConfiguration.load(path: notifications)
            } catch {
                Terminal.note("\(error)")
                throw ExitCode(64)
            }
            let hooks = configuration.webhooks.filter { webhook == nil || $0.name == webhook }
            guard !hooks.isEmpty else {
                Terminal.note("no webhook is named \(webhook ?? "")")
                throw ExitCode(2)
            }
            let sender = WebhookSender(
                transport: CurlHTTPClient(), timeout: configuration.timeout, allowPrivateNetworks: configuration.allowPrivateNetworks)
            let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
            var failed = false
            for hook in hooks {
                let id = NotificationPlanner.deliveryID(webhook: hook.name, subject: "test:\(now.rfc3339)")
                let summary = "locktrail test notification for webhook \(hook.name)"
                let body = CanonicalJSON.string([
                    "id": .string(id), "kind": "test", "webhook": .string(hook.name), "subject": .string("test:\(now.rfc3339)"),
                    "summary": .string(summary), "created_at": .string(now.rfc3339),
                ])
                switch await sender.send(id: id, summary: summary, body: body, to: hook) {
                case .delivered(let status): print("\(hook.name): delivered (HTTP \(status)), delivery \(id)")
                case .failed(let reason):
                    print("\(hook.name): failed: \(reason)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
