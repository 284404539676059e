import Prometheus

/// The metrics one process has and no other replica could know: `serve`'s HTTP requests, and
/// `collect`'s cycle durations, errors by kind and events appended. One registry per process,
/// rendered after the database's samples on every scrape of that process.
public final class ProcessMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()

    /// Buckets of `locktrail_cycle_duration_seconds`: a cycle is a scan of one table or bucket.
    public static let cycleBuckets: [Duration] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120].map { .milliseconds(Int64($0 * 1000)) }

    /// Empty metrics.
    public init() {}

    /// Counts one HTTP request by its route pattern (`/v1/current`, not the path asked: bounded),
    /// method and status.
    public func request(route: String, method: String, status: Int) {
        registry.makeCounter(
            descriptor: Self.name("locktrail_http_requests_total", "HTTP requests served, by route pattern, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
    }

    /// Records one committed collection cycle of `source`.
    public func cycleCommitted(source: String, duration: Duration, appended: Int) {
        cycleDuration(source: source, outcome: "ok").record(duration)
        registry.makeCounter(
            descriptor: Self.name("locktrail_events_appended_total", "Events this collector appended, by source."),
            labels: [("source", source)]
        ).increment(by: Int64(appended))
    }

    /// Records one failed collection cycle of `source`, by the kind of error.
    public func cycleFailed(source: String, duration: Duration, kind: String) {
        cycleDuration(source: source, outcome: "failed").record(duration)
        registry.makeCounter(
            descriptor: Self.name("locktrail_cycle_errors_total", "Failed collection cycles, by source and kind of error."),
            labels: [("source", source), ("kind", kind)]
        ).increment()
    }

    /// Makes `source`'s counters exist at zero, so a rate is defined before the first event.
    public func register(source: String) {
        registry.makeCounter(
            descriptor: Self.name("locktrail_events_appended_total", "Events this collector appended, by source."),
            labels: [("source", source)])
    }

    /// The process's metrics as Prometheus text.
    public func render() -> [UInt8] { registry.emitToBuffer() }

    private func cycleDuration(source: String, outcome: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: Self.name("locktrail_cycle_duration_seconds", "Collection cycle durations, by source and outcome."),
            labels: [("source", source), ("outcome", outcome)], buckets: Self.cycleBuckets)
    }

    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
