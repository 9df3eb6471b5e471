import Metrics
import SwitchyardCore

/// The worker's Prometheus metrics (listed in the README's Operations section).
enum WorkerMetrics {
    static let running = ScrapedGauge(name: "switchyard_worker_running")
    static let waiting = ScrapedGauge(name: "switchyard_worker_waiting")

    static func answered(_ endpoint: Endpoint, status: Int, duration: Duration) {
        Counter(label: "switchyard_worker_requests_total", dimensions: [("endpoint", endpoint.rawValue), ("status", String(status))]).increment()
        Timer(label: "switchyard_worker_request_duration_seconds", dimensions: [("endpoint", endpoint.rawValue)]).record(duration: duration)
    }

    /// Slots in use and requests waiting for one, read from the limiter when Prometheus scrapes.
    static func refresh(from worker: Worker) {
        let running = worker.limiter.running
        let labels = [worker.address ?? ""]
        Self.running.set([labels: Double(running)], labelNames: ["worker"])
        waiting.set([labels: Double(worker.limiter.queueLength - running)], labelNames: ["worker"])
    }
}
