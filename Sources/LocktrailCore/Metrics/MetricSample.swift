/// One value for Prometheus: a metric family's name, type and help, its labels and the value.
/// Sources of metrics (the database snapshot, the notifier's outbox) produce samples; the server
/// renders them, so no source needs to know the exposition format.
public struct MetricSample: Hashable, Sendable {
    /// Prometheus metric types locktrail exposes from samples.
    public enum Kind: String, Sendable {
        /// A value that goes up and down.
        case gauge
        /// A value that only goes up (the name ends in `_total`).
        case counter
    }

    /// The family name, e.g. `locktrail_locks_held`.
    public var name: String
    /// Gauge or counter.
    public var kind: Kind
    /// One line of help.
    public var help: String
    /// Label names and values, in order.
    public var labels: [(String, String)]
    /// The value.
    public var value: Double

    /// A sample.
    public init(_ name: String, _ kind: Kind, help: String, labels: [(String, String)] = [], value: Double) {
        (self.name, self.kind, self.help, self.labels, self.value) = (name, kind, help, labels, value)
    }

    public static func == (a: MetricSample, b: MetricSample) -> Bool {
        a.name == b.name && a.kind == b.kind && a.value == b.value && a.labels.map { [$0.0, $0.1] } == b.labels.map { [$0.0, $0.1] }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        for (k, v) in labels { hasher.combine(k); hasher.combine(v) }
    }
}

/// Something that contributes samples to every scrape of `GET /metrics`, computed from shared
/// state (the database) so that every `serve` replica answers the same.
///
/// The notifier registers one for its outbox: `locktrail_notifications_backlog` (gauge: deliveries
/// not yet delivered nor dead) and `locktrail_notifications_dead_letters` (gauge: deliveries that
/// gave up), the names docs/alerts.yml alerts on.
public protocol MetricsSource: Sendable {
    /// The samples of one scrape.
    func samples(now: Timestamp) async throws -> [MetricSample]
}
