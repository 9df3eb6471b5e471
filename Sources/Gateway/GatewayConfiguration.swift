import Routing

/// How the gateway routes and relays.
public struct GatewayConfiguration: Sendable {
    public var dispatch: DispatchMethod
    /// Largest request body accepted; bigger ones get 413.
    public var maxBodySize: Int
    /// Longest wait for a worker's response head; non-streamed completions send it only when done.
    public var responseTimeout: Duration
    /// `retry-after` sent with 503 when no worker can take a request.
    public var retryAfter: Duration
    /// See ``DirectoryState/restartRetention``.
    public var restartRetention: Duration

    public init(
        dispatch: DispatchMethod = .shortestQueue,
        maxBodySize: Int = 32 << 20,
        responseTimeout: Duration = .seconds(600),
        retryAfter: Duration = .seconds(1),
        restartRetention: Duration = .seconds(15)
    ) {
        self.dispatch = dispatch
        self.maxBodySize = maxBodySize
        self.responseTimeout = responseTimeout
        self.retryAfter = retryAfter
        self.restartRetention = restartRetention
    }
}
