public import LocktrailCore
public import LocktrailStore

/// The outbox's figures for every scrape of `GET /metrics`, read from the database so every
/// `serve` replica gives the same values whether or not it runs the notifier:
/// `locktrail_notifications_backlog` (deliveries neither delivered nor dead) and
/// `locktrail_notifications_dead_letters` (deliveries that gave up; `locktrail notifications retry`
/// sends them again). docs/alerts.yml alerts on the second.
public struct NotificationMetrics: MetricsSource {
    private let store: NotificationStore

    /// The metrics of `store`'s outbox.
    public init(store: NotificationStore) {
        self.store = store
    }

    public func samples(now: Timestamp) async throws -> [MetricSample] {
        let counts = try await store.counts()
        return [
            MetricSample(
                "locktrail_notifications_backlog", .gauge,
                help: "Notifications in the outbox not yet delivered nor dead-lettered.", value: Double(counts.backlog)),
            MetricSample(
                "locktrail_notifications_dead_letters", .gauge,
                help: "Notifications that gave up after their attempts (dead letters).", value: Double(counts.deadLetters)),
        ]
    }
}
