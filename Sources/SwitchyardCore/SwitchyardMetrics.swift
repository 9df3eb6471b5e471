import Hummingbird
import Metrics
import NIOCore
import Prometheus
import Synchronization

/// Prometheus metrics of every Switchyard daemon: one registry per process, exposed at `/metrics`.
///
/// Library code records through swift-metrics; only a daemon's entry point bootstraps the
/// Prometheus backend, so tests that host components in-process record into the no-op default.
public enum SwitchyardMetrics {
    /// The registry `/metrics` emits.
    public static var registry: PrometheusCollectorRegistry { PrometheusMetricsFactory.defaultRegistry }

    /// Buckets fit for LLM serving: sub-millisecond gateway overheads up to minute-long completions.
    public static func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
        ]
        factory.valueHistogramBuckets = [:]
        MetricsSystem.bootstrap(factory)
    }
}

extension Router {
    /// `GET /metrics` in Prometheus text format; `refresh` sets scrape-time gauges (load, states) first.
    public func addMetricsRoute(refresh: @escaping @Sendable () -> Void = {}) {
        get("metrics") { _, _ in
            refresh()
            var bytes: [UInt8] = []
            SwitchyardMetrics.registry.emit(into: &bytes)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }
}

/// A gauge whose label sets come and go with workers and models: set at scrape time, and the
/// sets no longer present are dropped so departed workers leave the graph instead of freezing.
public final class ScrapedGauge: Sendable {
    let name: String
    private let present: Mutex<[[String]: Prometheus.Gauge]>

    public init(name: String) {
        self.name = name
        self.present = Mutex([:])
    }

    /// Sets every gauge of this name to `values`, keyed by label values in `labelNames` order.
    public func set(_ values: [[String]: Double], labelNames: [String]) {
        present.withLock { present in
            for (labels, value) in values {
                let gauge = present[labels] ?? SwitchyardMetrics.registry.makeGauge(name: name, labels: Array(zip(labelNames, labels)))
                gauge.set(value)
                present[labels] = gauge
            }
            for (labels, gauge) in present where values[labels] == nil {
                SwitchyardMetrics.registry.unregisterGauge(gauge)
                present[labels] = nil
            }
        }
    }
}
