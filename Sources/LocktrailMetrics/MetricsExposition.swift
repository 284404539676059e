public import LocktrailCore
import Prometheus

/// Renders samples (computed afresh for each scrape) in the Prometheus text exposition format,
/// through a registry of their own, so nothing of one scrape lingers into the next.
public enum MetricsExposition {
    /// The samples as Prometheus text.
    public static func render(_ samples: [MetricSample]) -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        for sample in samples {
            let descriptor = MetricNameDescriptor(metricName: sample.name, unitName: "", helpText: sample.help)
            switch sample.kind {
            case .gauge:
                registry.makeGauge(descriptor: descriptor, labels: sample.labels).set(sample.value)
            case .counter:
                registry.makeCounter(descriptor: descriptor, labels: sample.labels).increment(by: sample.value)
            }
        }
        return registry.emitToBuffer()
    }

    /// The content type of the text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
