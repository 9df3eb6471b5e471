/// A per-worker circuit breaker: a pure state machine fed with outcomes and the time.
///
/// Closed, it lets requests through and counts failures; after `consecutiveFailures` in a row, or
/// a failure rate of `failureRate` over the last `window` outcomes, it opens and the worker gets
/// nothing for `coolDown`. Then one trial request (or health probe) is let through: success closes
/// the breaker again, failure reopens it. A hard failure (connection refused) opens it at once:
/// nothing listens there.
public struct CircuitBreaker: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        public var consecutiveFailures: Int
        public var failureRate: Double
        public var window: Int
        public var minimumSamples: Int
        public var coolDown: Duration

        public init(
            consecutiveFailures: Int = 3,
            failureRate: Double = 0.5,
            window: Int = 20,
            minimumSamples: Int = 10,
            coolDown: Duration = .seconds(2)
        ) {
            self.consecutiveFailures = consecutiveFailures
            self.failureRate = failureRate
            self.window = window
            self.minimumSamples = minimumSamples
            self.coolDown = coolDown
        }
    }

    public enum State: Sendable, Equatable {
        case closed
        case open(until: ContinuousClock.Instant)
        /// The single trial has been handed out; nothing else goes until it succeeds or fails.
        case halfOpen
    }

    public enum Transition: Sendable, Equatable {
        case opened, halfOpened, closed
    }

    public private(set) var state: State = .closed
    public let configuration: Configuration
    private var consecutive = 0
    private var recent: [Bool] = []

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Whether a new request may go to the worker now (without claiming the half-open trial).
    public func admits(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: true
        case .open(let until): now >= until
        case .halfOpen: false
        }
    }

    /// Records that a request was sent; in half-open state it claims the single trial.
    public mutating func dispatched(now: ContinuousClock.Instant) -> Transition? {
        switch state {
        case .closed:
            return nil
        case .open(let until) where now >= until:
            state = .halfOpen
            return .halfOpened
        case .open:
            return nil
        case .halfOpen:
            return nil
        }
    }

    public mutating func recordSuccess(now: ContinuousClock.Instant) -> Transition? {
        consecutive = 0
        remember(success: true)
        switch state {
        case .closed:
            return nil
        case .open(let until):
            guard now >= until else { return nil }
            fallthrough
        case .halfOpen:
            state = .closed
            recent.removeAll()
            return .closed
        }
    }

    public mutating func recordFailure(now: ContinuousClock.Instant, hard: Bool = false) -> Transition? {
        consecutive += 1
        remember(success: false)
        switch state {
        case .closed:
            let failures = recent.lazy.filter { !$0 }.count
            let rateTripped = recent.count >= configuration.minimumSamples
                && Double(failures) >= configuration.failureRate * Double(recent.count)
            guard hard || consecutive >= configuration.consecutiveFailures || rateTripped else { return nil }
            return open(now: now)
        case .halfOpen:
            return open(now: now)
        case .open:
            // Failures while open (a probe, a late reply) push the next trial back.
            state = .open(until: now + configuration.coolDown)
            return nil
        }
    }

    private mutating func open(now: ContinuousClock.Instant) -> Transition {
        state = .open(until: now + configuration.coolDown)
        return .opened
    }

    private mutating func remember(success: Bool) {
        recent.append(success)
        if recent.count > configuration.window { recent.removeFirst(recent.count - configuration.window) }
    }
}
