public import Foundation
public import LocktrailCore
public import LocktrailStore
public import Logging
public import ServiceLifecycle

/// The notifier inside `locktrail serve`: every replica runs this service, and the one that
/// holds the advisory lock (`store.notifications.tryLead()`) does the work — each interval it
/// turns new findings into outbox entries (in the transaction that advances its cursor) and
/// delivers what is due, with backoff and a dead letter after `max_attempts` failures. When its
/// connection breaks it lets go, and whichever replica takes the lock next carries on from the
/// cursor: an entry is never lost, and a delivery interrupted before it was recorded is sent
/// again (at least once; the delivery id lets the receiver drop the repeat).
public struct NotifierService: Service {
    let store: Store
    let configuration: NotificationConfiguration
    let sender: WebhookSender
    let logger: Logger
    let now: @Sendable () -> Timestamp

    /// A notifier for `configuration`, delivering through `sender`.
    public init(
        store: Store, configuration: NotificationConfiguration, sender: WebhookSender, logger: Logger,
        now: @escaping @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
    ) {
        (self.store, self.configuration, self.sender, self.logger, self.now) = (store, configuration, sender, logger, now)
    }

    public func run() async throws {
        var lease: NotifierLease?
        var waiting = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if lease == nil {
                do {
                    lease = try await store.notifications.tryLead()
                    if lease != nil {
                        logger.info("notifier active", metadata: ["webhooks": "\(configuration.webhooks.map(\.name).joined(separator: ","))"])
                        waiting = false
                    } else if !waiting {
                        logger.info("notifier standing by: another serve process is the notifier")
                        waiting = true
                    }
                } catch {
                    logger.warning("notifier could not reach the database", metadata: ["error": "\(error)"])
                }
            }
            if let active = lease {
                do {
                    try await pass(active)
                } catch  where active.isHealthy {
                    // E.g. a serialization failure: nothing was committed; the next pass redoes it.
                    logger.warning("notifier pass failed; retrying at the next interval", metadata: ["error": "\(error)"])
                } catch {
                    logger.error("notifier lost its database connection; letting go of the lock", metadata: ["error": "\(error)"])
                    lease = nil  // the connection closes, and with it the lock
                }
            }
            let pause = configuration.interval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(pause)) }
        }
    }

    /// One pass: plan, then deliver what is due (several rounds while there is more).
    func pass(_ lease: NotifierLease) async throws {
        let report = try await lease.tick(rules: configuration.rules, now: now())
        if report.created > 0 { logger.info("notifications created", metadata: ["count": "\(report.created)", "seq": "\(report.seq)"]) }
        for _ in 0..<10 {
            let due = try await lease.due(limit: 50)
            if due.isEmpty { return }
            for notification in due {
                if Task.isShuttingDownGracefully { return }
                try await deliver(notification, lease: lease)
            }
            if due.count < 50 { return }
        }
    }

    func deliver(_ notification: DueNotification, lease: NotifierLease) async throws {
        let attempt = notification.attempts + 1
        let metadata: Logger.Metadata = [
            "delivery": "\(notification.id)", "webhook": "\(notification.webhook)", "kind": "\(notification.kind)", "attempt": "\(attempt)",
        ]
        guard let webhook = configuration.webhook(named: notification.webhook) else {
            let status = try await lease.failed(
                id: notification.id, error: "webhook \(notification.webhook) is not in the notifications file",
                maxAttempts: configuration.maxAttempts, retryIn: configuration.backoff.delay(afterAttempts: attempt))
            logger.warning(
                "notification for a webhook no longer configured", metadata: metadata.merging(["status": "\(status?.rawValue ?? "-")"]) { a, _ in a })
            return
        }
        switch await sender.send(id: notification.id, summary: notification.summary, body: notification.body, to: webhook) {
        case .delivered(let code):
            try await lease.delivered(id: notification.id)
            logger.info("notification delivered", metadata: metadata.merging(["http_status": "\(code)"]) { a, _ in a })
        case .failed(let reason):
            let delay = configuration.backoff.delay(afterAttempts: attempt)
            let status = try await lease.failed(id: notification.id, error: reason, maxAttempts: configuration.maxAttempts, retryIn: delay)
            if status == .dead {
                logger.error("notification dead-lettered", metadata: metadata.merging(["error": "\(reason)"]) { a, _ in a })
            } else {
                logger.warning(
                    "notification delivery failed", metadata: metadata.merging(["error": "\(reason)", "retry_in_seconds": "\(delay)"]) { a, _ in a })
            }
        }
    }
}
