/// How the gateway routes, retries, queues and watches worker health.
public struct GatewayConfiguration: Sendable {
    public var routing: RoutingConfiguration
    public var queue: QueueConfiguration
    /// Largest request body accepted; bigger ones get 413.
    public var maxBodySize: Int
    /// Longest wait for a worker's response head; non-streamed completions send it only when done.
    public var responseTimeout: Duration
    /// Extra attempts on other workers for a request that failed before its first byte.
    public var maxRetries: Int
    /// Base of the jittered, doubling pause before a retry.
    public var retryBackoff: Duration
    /// No retry starts after this much time since the request arrived.
    public var retryDeadline: Duration
    /// How often each worker's `/health` is probed; zero turns probing off.
    public var probeInterval: Duration
    public var probeTimeout: Duration
    /// A stream silent this long gets a `: keep-alive` comment, so proxies and clients keep it open; zero turns them off.
    public var keepAliveInterval: Duration
    /// Header whose value keys session affinity (the `session` policy); the `user` field is the fallback.
    public var sessionHeader: String

    public init(
        routing: RoutingConfiguration = .init(),
        queue: QueueConfiguration = .init(),
        maxBodySize: Int = 32 << 20,
        responseTimeout: Duration = .seconds(600),
        maxRetries: Int = 2,
        retryBackoff: Duration = .milliseconds(25),
        retryDeadline: Duration = .seconds(30),
        probeInterval: Duration = .seconds(1),
        probeTimeout: Duration = .seconds(1),
        keepAliveInterval: Duration = .seconds(15),
        sessionHeader: String = "x-session-id"
    ) {
        self.routing = routing
        self.queue = queue
        self.maxBodySize = maxBodySize
        self.responseTimeout = responseTimeout
        self.maxRetries = maxRetries
        self.retryBackoff = retryBackoff
        self.retryDeadline = retryDeadline
        self.probeInterval = probeInterval
        self.probeTimeout = probeTimeout
        self.keepAliveInterval = keepAliveInterval
        self.sessionHeader = sessionHeader
    }
}
