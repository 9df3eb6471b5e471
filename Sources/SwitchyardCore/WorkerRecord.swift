/// One registered worker as the controller publishes it to gateways and operators.
public struct WorkerRecord: Codable, Sendable, Equatable {
    /// The worker's base URL; FastChat uses it as the worker's identity.
    public var address: String
    public var models: [String]
    public var speed: Double
    public var queueLength: Int
    public var state: WorkerState
    public var api: String?
    public var limitConcurrency: Int?
    public var checkHeartBeat: Bool
    public var multimodal: Bool
    /// Seconds since the last heartbeat or registration, as of when the record was published.
    public var lastHeartbeatAgeSeconds: Double
    /// The worker's recent load and errors, from its last heartbeat (Switchyard workers only).
    public var activity: WorkerActivity?
    /// The worker's own endpoints when not at `address` (a direct-data-plane sidecar's); see ``WorkerStatus/controlAddress``.
    public var controlAddress: String?

    /// Where `/health`, `/worker_get_status` and `/admin/*` are answered for this worker.
    public var controlBase: String { controlAddress ?? address }

    public init(
        address: String,
        models: [String],
        speed: Double = 1,
        queueLength: Int = 0,
        state: WorkerState = .ready,
        api: String? = nil,
        limitConcurrency: Int? = nil,
        checkHeartBeat: Bool = true,
        multimodal: Bool = false,
        lastHeartbeatAgeSeconds: Double = 0,
        activity: WorkerActivity? = nil,
        controlAddress: String? = nil
    ) {
        self.address = address
        self.models = models
        self.speed = speed
        self.queueLength = queueLength
        self.state = state
        self.api = api
        self.limitConcurrency = limitConcurrency
        self.checkHeartBeat = checkHeartBeat
        self.multimodal = multimodal
        self.lastHeartbeatAgeSeconds = lastHeartbeatAgeSeconds
        self.activity = activity
        self.controlAddress = controlAddress
    }

    enum CodingKeys: String, CodingKey {
        case address, models, speed, state, api, multimodal, activity
        case queueLength = "queue_length"
        case limitConcurrency = "limit_concurrency"
        case checkHeartBeat = "check_heart_beat"
        case lastHeartbeatAgeSeconds = "last_heartbeat_age_s"
        case controlAddress = "control_address"
    }
}

/// The body of `GET /api/v1/workers`.
public struct WorkerList: Codable, Sendable, Equatable {
    public var workers: [WorkerRecord]
    public init(workers: [WorkerRecord]) { self.workers = workers }
}
