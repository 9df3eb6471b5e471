/// What a worker did lately, sent with each heartbeat for `switchyard status`. It is kept apart
/// from the routed status, so a busy worker's changing counts do not flood gateways' watch streams.
public struct WorkerActivity: Codable, Sendable, Equatable {
    /// Requests holding a concurrency slot now.
    public var running: Int
    public var requestsLastMinute: Int
    /// Answers with a 5xx status, or failures, in the last minute.
    public var errorsLastMinute: Int

    public init(running: Int = 0, requestsLastMinute: Int = 0, errorsLastMinute: Int = 0) {
        self.running = running
        self.requestsLastMinute = requestsLastMinute
        self.errorsLastMinute = errorsLastMinute
    }

    enum CodingKeys: String, CodingKey {
        case running
        case requestsLastMinute = "requests_last_minute"
        case errorsLastMinute = "errors_last_minute"
    }
}
