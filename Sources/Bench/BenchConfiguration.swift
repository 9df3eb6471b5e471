/// One load test: where, what, and how hard.
public struct BenchConfiguration: Sendable {
    /// An OpenAI-compatible base URL, with or without `/v1`.
    public var url: String
    public var model: String
    /// Closed loop: this many requests in flight at all times.
    public var concurrency: Int
    /// Open loop: start this many requests per second regardless of replies (nil: closed loop).
    public var rate: Double?
    /// Stop after this many measured requests…
    public var requests: Int?
    /// …or after this long, whichever comes first.
    public var duration: Duration?
    /// Requests sent before measuring, to open connections and warm caches.
    public var warmup: Int
    public var stream: Bool
    public var maxTokens: Int?
    /// Message lists to send, in turn.
    public var prompts: [[BenchMessage]]
    public var apiKey: String?

    public init(
        url: String,
        model: String,
        concurrency: Int = 1,
        rate: Double? = nil,
        requests: Int? = 100,
        duration: Duration? = nil,
        warmup: Int = 0,
        stream: Bool = false,
        maxTokens: Int? = nil,
        prompts: [[BenchMessage]] = [[BenchMessage(role: "user", content: "Hello from switchyard bench")]],
        apiKey: String? = nil
    ) {
        self.url = url
        self.model = model
        self.concurrency = concurrency
        self.rate = rate
        self.requests = requests
        self.duration = duration
        self.warmup = warmup
        self.stream = stream
        self.maxTokens = maxTokens
        self.prompts = prompts
        self.apiKey = apiKey
    }
}

/// A chat message of a benchmark prompt.
public struct BenchMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
