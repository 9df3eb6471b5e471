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

extension WorkerStatus {
    /// Bounds of what a worker may report. Beyond them a number is a bug or an attack, and
    /// arithmetic on it (sums, `+ 1`, `queue / speed`) would overflow or turn infinite.
    public static let maxModelNames = 1024
    public static let maxModelNameBytes = 256
    public static let maxSpeed: Double = 1_000_000
    public static let maxQueueLength = 1_000_000
    public static let maxLimitConcurrency = 1_000_000
    static let maxAPIBytes = 64

    /// Throws OpenAI's 400 naming the first field no sane worker would report. The control
    /// address is checked apart, by a ``WorkerAddressPolicy``.
    public func validate() throws {
        func refuse(_ field: String, _ problem: String) -> OpenAIError {
            .badRequest("worker_status.\(field) \(problem).", param: "worker_status.\(field)", code: "invalid_worker_status")
        }
        guard !modelNames.isEmpty else { throw refuse("model_names", "must name at least one model") }
        guard modelNames.count <= Self.maxModelNames else {
            throw refuse("model_names", "has \(modelNames.count) names; at most \(Self.maxModelNames) are accepted")
        }
        for name in modelNames where name.isEmpty || name.utf8.count > Self.maxModelNameBytes {
            throw refuse("model_names", "must hold names of 1 to \(Self.maxModelNameBytes) bytes")
        }
        guard speed.isFinite, (0...Self.maxSpeed).contains(speed) else {
            throw refuse("speed", "must be a finite number from 0 to \(Int(Self.maxSpeed))")
        }
        guard (0...Self.maxQueueLength).contains(queueLength) else {
            throw refuse("queue_length", "must be from 0 to \(Self.maxQueueLength)")
        }
        if let limitConcurrency, !(1...Self.maxLimitConcurrency).contains(limitConcurrency) {
            throw refuse("limit_concurrency", "must be from 1 to \(Self.maxLimitConcurrency)")
        }
        if let api, api.utf8.count > Self.maxAPIBytes {
            throw refuse("api", "must be at most \(Self.maxAPIBytes) bytes")
        }
    }

    /// The status with every number forced into its bounds (NaN speed counts as 0): the registry's
    /// guard for numbers that did not pass ``validate()``, such as a heartbeat's.
    public var clamped: WorkerStatus {
        var status = self
        status.speed = speed.isNaN ? 0 : min(max(speed, 0), Self.maxSpeed)
        status.queueLength = Self.clampedQueueLength(queueLength)
        status.limitConcurrency = limitConcurrency.map { min(max($0, 1), Self.maxLimitConcurrency) }
        return status
    }

    public static func clampedQueueLength(_ queueLength: Int) -> Int {
        min(max(queueLength, 0), maxQueueLength)
    }
}

extension WorkerRecord {
    /// The record within ``WorkerStatus``'s bounds, for a gateway mirroring a controller it
    /// cannot vouch for: numbers clamped, at most ``WorkerStatus/maxModelNames`` valid names kept.
    public var clamped: WorkerRecord {
        let status = WorkerStatus(modelNames: [], speed: speed, queueLength: queueLength, limitConcurrency: limitConcurrency).clamped
        var record = self
        record.speed = status.speed
        record.queueLength = status.queueLength
        record.limitConcurrency = status.limitConcurrency
        if models.count > WorkerStatus.maxModelNames || models.contains(where: { $0.isEmpty || $0.utf8.count > WorkerStatus.maxModelNameBytes }) {
            record.models = Array(models.lazy.filter { !$0.isEmpty && $0.utf8.count <= WorkerStatus.maxModelNameBytes }.prefix(WorkerStatus.maxModelNames))
        }
        record.activity = activity?.clamped
        return record
    }
}

extension WorkerActivity {
    /// Largest count kept: far above any real minute's traffic, far below an overflow when summed.
    public static let maxCount = 1 << 40

    /// The counts forced into 0...``maxCount``: shown to operators, never trusted.
    public var clamped: WorkerActivity {
        func clamp(_ count: Int) -> Int { min(max(count, 0), Self.maxCount) }
        return WorkerActivity(running: clamp(running), requestsLastMinute: clamp(requestsLastMinute), errorsLastMinute: clamp(errorsLastMinute))
    }
}
