/// What a worker reports about itself: FastChat's `worker_status` object, plus optional
/// Switchyard fields that a FastChat controller ignores.
public struct WorkerStatus: Codable, Sendable, Equatable {
    public var modelNames: [String]
    public var speed: Double
    public var queueLength: Int
    /// The HTTP API the worker serves to gateways; `openai` for Switchyard workers, nil for FastChat ones.
    public var api: String?
    public var limitConcurrency: Int?
    public var state: WorkerState?
    /// Where the worker's own endpoints (`/health`, `/worker_get_status`, `/admin/*`) are, when
    /// not at its registered address: a direct-data-plane worker registers its backend's URL, so
    /// gateways send requests straight there, and answers these itself as a sidecar.
    public var controlAddress: String?

    public init(
        modelNames: [String],
        speed: Double = 1,
        queueLength: Int = 0,
        api: String? = nil,
        limitConcurrency: Int? = nil,
        state: WorkerState? = nil,
        controlAddress: String? = nil
    ) {
        self.modelNames = modelNames
        self.speed = speed
        self.queueLength = queueLength
        self.api = api
        self.limitConcurrency = limitConcurrency
        self.state = state
        self.controlAddress = controlAddress
    }

    enum CodingKeys: String, CodingKey {
        case modelNames = "model_names"
        case speed
        case queueLength = "queue_length"
        case api
        case limitConcurrency = "limit_concurrency"
        case state
        case controlAddress = "control_address"
    }
}

/// Whether a worker takes new requests.
public enum WorkerState: String, Codable, Sendable, Equatable, CaseIterable {
    /// Accepting requests.
    case ready
    /// Finishing in-flight requests before leaving; routes no new ones.
    case draining
}
