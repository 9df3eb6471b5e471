import Logging
import Metrics
import Synchronization
import SwitchyardCore

/// The gateway's Prometheus metrics (names and labels are listed in the README's Operations section).
enum GatewayMetrics {
    static let inFlight = ScrapedGauge(name: "switchyard_gateway_in_flight")
    static let queued = ScrapedGauge(name: "switchyard_gateway_queued")
    static let workers = ScrapedGauge(name: "switchyard_gateway_workers")

    static func retried(model: String) {
        retries[model].increment()
    }

    static func circuitTransition(of worker: String, to transition: CircuitBreaker.Transition) {
        let state =
            switch transition {
            case .opened: "open"
            case .halfOpened: "half_open"
            case .closed: "closed"
            }
        transitions[.init(worker: worker, state: state)].increment()
    }

    /// Drops the series of workers that left the directory and of models no worker serves any
    /// more, so a churn of workers (or of made-up model names) does not pile up series that
    /// Prometheus scrapes forever. Requests no worker took keep their `unknown` model and empty worker.
    static func forgetDeparted(workers: Set<String>, models: Set<String>) {
        func departed(model: String) -> Bool { model != unknownModel && !models.contains(model) }
        func departed(worker: String) -> Bool { !worker.isEmpty && !workers.contains(worker) }
        requests.forget { departed(worker: $0.worker) || departed(model: $0.model) }
        durations.forget { departed(model: $0.model) }
        byModel.forget(where: departed(model:))
        retries.forget(where: departed(model:))
        transitions.forget { departed(worker: $0.worker) }
    }

    /// ``forgetDeparted(workers:models:)`` against the directory as it is now.
    static func forgetDeparted(from snapshot: DirectoryState) {
        forgetDeparted(workers: Set(snapshot.workers.keys), models: Set(snapshot.modelNames))
    }

    /// The model label of requests for models no worker took: anything a client made up.
    static let unknownModel = "unknown"

    /// The per-request series, each made once: making a handle looks it up in the registry by its labels.
    static let byModel = HandleCache { ModelSeries(model: $0) }
    static let retries = HandleCache { (model: String) in
        Counter(label: "switchyard_gateway_retries_total", dimensions: [("model", model)])
    }
    static let transitions = HandleCache { (key: WorkerTransition) in
        Counter(label: "switchyard_gateway_circuit_transitions_total", dimensions: [("worker", key.worker), ("to", key.state)])
    }
    static let durations = HandleCache { (key: EndpointAndModel) in
        Timer(label: "switchyard_gateway_request_duration_seconds", dimensions: [("endpoint", key.endpoint.rawValue), ("model", key.model)])
    }
    static let requests = HandleCache { (key: RequestOutcome) in
        Counter(
            label: "switchyard_gateway_requests_total",
            dimensions: [("endpoint", key.endpoint.rawValue), ("model", key.model), ("worker", key.worker), ("status", String(key.status))]
        )
    }

    struct ModelSeries: MetricHandle {
        let timeToFirstToken: Timer
        let interTokenLatency: Timer
        let promptTokens: Counter
        let completionTokens: Counter

        func destroy() {
            timeToFirstToken.destroy()
            interTokenLatency.destroy()
            promptTokens.destroy()
            completionTokens.destroy()
        }

        init(model: String) {
            timeToFirstToken = Timer(label: "switchyard_gateway_time_to_first_token_seconds", dimensions: [("model", model)])
            interTokenLatency = Timer(label: "switchyard_gateway_inter_token_latency_seconds", dimensions: [("model", model)])
            promptTokens = Counter(label: "switchyard_gateway_prompt_tokens_total", dimensions: [("model", model)])
            completionTokens = Counter(label: "switchyard_gateway_completion_tokens_total", dimensions: [("model", model)])
        }
    }

    struct EndpointAndModel: Hashable, Sendable {
        let endpoint: Endpoint
        let model: String
    }

    struct WorkerTransition: Hashable, Sendable {
        let worker: String
        let state: String
    }

    struct RequestOutcome: Hashable, Sendable {
        let endpoint: Endpoint
        let model: String
        let worker: String
        let status: Int
    }

    /// Load and worker states, read from the directory when Prometheus scrapes.
    static func refresh(from directory: WorkerDirectory) {
        let snapshot = directory.snapshot
        // Also catches workers that left without an event (kept after a controller restart, then dropped).
        forgetDeparted(from: snapshot)
        var load: [[String]: Double] = [:]
        var states: [[String]: Double] = [["ready"]: 0, ["draining"]: 0, ["circuit_open"]: 0]
        for record in snapshot.workers.values {
            for model in record.models {
                load[[model, record.address]] = Double(snapshot.inFlight[record.address, default: 0])
            }
            let open = snapshot.breakers[record.address].map { $0.state != .closed } ?? false
            states[[open ? "circuit_open" : record.state.rawValue], default: 0] += 1
        }
        inFlight.set(load, labelNames: ["model", "worker"])
        queued.set(directory.waitingByModel.reduce(into: [:]) { $0[[$1.key]] = Double($1.value) }, labelNames: ["model"])
        workers.set(states, labelNames: ["state"])
    }
}

/// One request's passage through the gateway, recorded as metrics and one log line when it ends.
struct RequestRecord: Sendable {
    let endpoint: Endpoint
    let started = ContinuousClock.now
    /// Read where the request arrived: the response body runs outside the request's task-local scope.
    let requestID = RequestID.current ?? ""
    var model = ""
    var worker = ""
    var firstByte: Duration?
    var usage: (prompt: Int, completion: Int)?
    /// The dashboard's statistics, when the gateway keeps them.
    var stats: GatewayStatsRecorder?

    init(endpoint: Endpoint) {
        self.endpoint = endpoint
    }

    /// `message` says why a failed request failed, for the dashboard's recent errors.
    func finish(status: Int, message: String? = nil, logger: Logger) {
        let duration = ContinuousClock.now - started
        // A model name no worker took may be anything a client made up: one label for all of
        // them keeps the series bounded. 429 and 503 only come for models the directory knows.
        let known = !worker.isEmpty || status == 429 || status == 503
        let model = known && !self.model.isEmpty ? self.model : GatewayMetrics.unknownModel
        // The dashboard's statistics bound their own model names.
        stats?.record(.init(model: self.model.isEmpty ? "unknown" : self.model, endpoint: endpoint.rawValue, status: status, latency: duration, requestID: requestID, worker: worker, message: message))
        GatewayMetrics.requests[.init(endpoint: endpoint, model: model, worker: worker, status: status)].increment()
        GatewayMetrics.durations[.init(endpoint: endpoint, model: model)].record(duration: duration)
        let series = GatewayMetrics.byModel[model]
        if let firstByte { series.timeToFirstToken.record(duration: firstByte) }
        if let usage {
            series.promptTokens.increment(by: usage.prompt)
            series.completionTokens.increment(by: usage.completion)
        }
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "request_id": "\(requestID)",
            "endpoint": "\(endpoint.rawValue)",
            "model": "\(self.model)",
            "worker": "\(worker)",
            "status": .stringConvertible(status),
            "latency_ms": .stringConvertible(Self.milliseconds(duration)),
        ]
        if let firstByte { metadata["ttft_ms"] = .stringConvertible(Self.milliseconds(firstByte)) }
        if let usage {
            metadata["prompt_tokens"] = .stringConvertible(usage.prompt)
            metadata["completion_tokens"] = .stringConvertible(usage.completion)
        }
        logger.info("request", metadata: metadata)
    }

    /// Milliseconds with microsecond precision, for log lines.
    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 1000).rounded() / 1000
    }
}

/// A swift-metrics handle (or a group of them) that can take its series out of the registry.
protocol MetricHandle: Sendable {
    func destroy()
}

extension Counter: MetricHandle {}
extension Timer: MetricHandle {}

/// Metric handles by label values, each made on first use and kept until ``forget(where:)``: the
/// label sets are bounded (models no worker serves share `unknown`, departed workers and models
/// are forgotten), as the series in the registry are then.
final class HandleCache<Key: Hashable & Sendable, Handle: MetricHandle>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])
    private let make: @Sendable (Key) -> Handle

    init(_ make: @escaping @Sendable (Key) -> Handle) {
        self.make = make
    }

    subscript(key: Key) -> Handle {
        handles.withLock { handles in
            if let handle = handles[key] { return handle }
            let handle = make(key)
            handles[key] = handle
            return handle
        }
    }

    /// Removes the handles whose keys match, and their series from the registry.
    func forget(where departed: (Key) -> Bool) {
        let gone = handles.withLock { handles in
            let gone = handles.filter { departed($0.key) }
            for key in gone.keys { handles[key] = nil }
            return gone
        }
        for handle in gone.values { handle.destroy() }
    }

    var count: Int {
        handles.withLock { $0.count }
    }
}
