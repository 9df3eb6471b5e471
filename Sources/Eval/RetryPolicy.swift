/// How a request to the gateway is retried: a bounded number of attempts with exponential
/// backoff, and only for failures another attempt can cure.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var attempts: Int
    public var firstDelay: Duration
    public var maxDelay: Duration

    public init(attempts: Int = 4, firstDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8)) {
        self.attempts = max(1, attempts)
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
    }

    /// The pause after failed attempt `attempt` (from 1): doubling from `firstDelay`, capped.
    public func delay(after attempt: Int) -> Duration {
        let doublings = min(max(0, attempt - 1), 30)
        let delay = firstDelay * (1 << doublings)
        return min(delay, maxDelay)
    }

    /// Whether an HTTP status is worth another attempt: rate limits, timeouts and server errors
    /// are; a request the gateway refused (unknown model, bad key) fails the same way again.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }
}
