import AsyncHTTPClient
import Backends
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import SwitchyardCore

/// The worker role: one backend behind a concurrency limit, registered with a controller.
public final class Worker: Sendable {
    public let configuration: WorkerConfiguration
    public let backend: any ModelBackend
    public let limiter: ConcurrencyLimiter
    let httpClient: HTTPClient
    let logger: Logger
    private let shared: Mutex<SharedState>

    struct SharedState {
        var address: String?
        var state: WorkerState = .ready
        var recent = RecentActivity()
    }

    public init(configuration: WorkerConfiguration, backend: any ModelBackend, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.backend = backend
        self.limiter = ConcurrencyLimiter(limit: configuration.limitConcurrency)
        self.httpClient = httpClient
        self.logger = logger
        self.shared = Mutex(SharedState(address: configuration.workerAddress?.trimmingSuffix("/")))
    }

    /// Called once the server is bound; fills in the address when none was configured.
    public func serverStarted(host: String, port: Int) {
        shared.withLock { state in
            if state.address == nil { state.address = "http://\(host):\(port)" }
        }
    }

    public var address: String? { shared.withLock { $0.address } }
    public var state: WorkerState { shared.withLock { $0.state } }

    /// Counts an answered request for the heartbeat's activity report.
    func recordAnswer(status: Int) {
        let second = Self.currentSecond
        shared.withLock { $0.recent.record(error: status >= 500, at: second) }
    }

    public var activity: WorkerActivity {
        let minute = shared.withLock { $0.recent.lastMinute(at: Self.currentSecond) }
        return WorkerActivity(running: limiter.running, requestsLastMinute: minute.requests, errorsLastMinute: minute.errors)
    }

    static var currentSecond: Int64 {
        Int64(Date().timeIntervalSince1970)
    }

    func setState(_ newState: WorkerState) {
        shared.withLock { $0.state = newState }
    }

    /// The address registered with the controller, where gateways send requests: the backend's
    /// on a direct data plane, else this worker's own (nil until the server is bound).
    public var registeredAddress: String? {
        if case .direct(let backendAddress) = configuration.dataPlane { return backendAddress }
        return address
    }

    /// The status reported to the controller: FastChat's fields plus Switchyard's.
    public var status: WorkerStatus {
        var status = WorkerStatus(
            modelNames: configuration.modelNames,
            speed: configuration.weight,
            queueLength: limiter.queueLength,
            api: "openai",
            limitConcurrency: configuration.limitConcurrency,
            state: state
        )
        if case .direct = configuration.dataPlane { status.controlAddress = address }
        return status
    }

    /// Requests running and waiting: the limiter's count, or on a direct data plane, where no
    /// request passes through this worker, what the backend's metrics say (0 without them).
    func queueLength() async -> Int {
        guard case .direct(let backendAddress) = configuration.dataPlane else { return limiter.queueLength }
        return await BackendLoad.scrape(backendAddress, httpClient: httpClient) ?? 0
    }

    /// Registration, heartbeats and the drain on shutdown; list it after the worker's application,
    /// so that on SIGTERM it drains before the server stops.
    public var lifecycleService: some Service {
        WorkerLifecycleService(worker: self)
    }
}
