/// Request and response bodies of FastChat's controller protocol, with FastChat's exact key names.
public enum FastChat {
    public struct RegisterWorker: Codable, Sendable, Equatable {
        public var workerName: String
        public var checkHeartBeat: Bool
        /// Null asks the controller to pull `/worker_get_status` from the worker itself.
        public var workerStatus: WorkerStatus?
        public var multimodal: Bool?

        public init(workerName: String, checkHeartBeat: Bool = true, workerStatus: WorkerStatus?, multimodal: Bool? = false) {
            self.workerName = workerName
            self.checkHeartBeat = checkHeartBeat
            self.workerStatus = workerStatus
            self.multimodal = multimodal
        }

        enum CodingKeys: String, CodingKey {
            case workerName = "worker_name"
            case checkHeartBeat = "check_heart_beat"
            case workerStatus = "worker_status"
            case multimodal
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(workerName, forKey: .workerName)
            try container.encode(checkHeartBeat, forKey: .checkHeartBeat)
            // FastChat sends an explicit null rather than omitting the key.
            try container.encode(workerStatus, forKey: .workerStatus)
            try container.encodeIfPresent(multimodal, forKey: .multimodal)
        }
    }

    public struct HeartBeat: Codable, Sendable, Equatable {
        public var workerName: String
        public var queueLength: Int
        /// Switchyard extensions; FastChat workers omit them.
        public var state: WorkerState?
        public var activity: WorkerActivity?

        /// The longest beat a controller reads, as a POST body or as a line of a beat stream.
        public static let maximumSize = 1 << 20
        /// Switchyard's streamed heartbeats: one long POST of NDJSON beats, answered with NDJSON
        /// `{"exist":…}` lines whenever the answer changes.
        public static let streamPath = "/api/v1/workers/heartbeats"

        public init(workerName: String, queueLength: Int, state: WorkerState? = nil, activity: WorkerActivity? = nil) {
            self.workerName = workerName
            self.queueLength = queueLength
            self.state = state
            self.activity = activity
        }

        enum CodingKeys: String, CodingKey {
            case workerName = "worker_name"
            case queueLength = "queue_length"
            case state, activity
        }
    }

    public struct HeartBeatReply: Codable, Sendable, Equatable {
        public var exist: Bool
        public init(exist: Bool) { self.exist = exist }
    }

    public struct ModelList: Codable, Sendable, Equatable {
        public var models: [String]
        public init(models: [String]) { self.models = models }
    }

    public struct WorkerAddressQuery: Codable, Sendable, Equatable {
        public var model: String
        public init(model: String) { self.model = model }
    }

    public struct WorkerAddress: Codable, Sendable, Equatable {
        /// Empty when no worker serves the model, as in FastChat.
        public var address: String
        public init(address: String) { self.address = address }
    }

    /// The worker a Switchyard worker names when it leaves (not part of FastChat).
    public struct WorkerName: Codable, Sendable, Equatable {
        public var workerName: String
        public init(workerName: String) { self.workerName = workerName }
        enum CodingKeys: String, CodingKey { case workerName = "worker_name" }
    }

    /// Names a worker by address in Switchyard's admin calls (drain, undrain).
    public struct WorkerAddressBody: Codable, Sendable, Equatable {
        public var address: String
        public init(address: String) { self.address = address }
    }
}
