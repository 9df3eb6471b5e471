/// The life of a supervised model server as a pure state machine: each event returns what the
/// supervisor must do next, so restarts, backoff and shutdown are tested without processes or clocks.
///
/// A child goes starting → ready → (exits) → backing off → starting …; the backoff doubles from
/// `initialBackoff` to `maximumBackoff` and starts over once a child stayed ready for `resetAfter`,
/// so a crash loop slows down while a server that ran for hours restarts at once.
public struct ProcessSupervisorState: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public enum Phase: Sendable, Equatable {
        /// Not started yet.
        case idle
        /// Launched, not answering yet.
        case starting(since: Instant)
        /// Answering requests.
        case ready(since: Instant)
        /// Exited; relaunched at `until`.
        case backingOff(until: Instant)
        /// Asked to stop; waiting for the child to exit.
        case stopping
        /// Nothing runs and nothing will.
        case stopped
    }

    public enum Action: Sendable, Equatable {
        /// Launch a new child.
        case launch
        /// Wait, then report ``ProcessSupervisorState/backoffElapsed(at:)``.
        case restart(after: Duration)
        /// Ask the child to stop (SIGTERM, SIGKILL after a grace period).
        case terminate
        /// Supervision is over.
        case finish
        case none
    }

    public private(set) var phase: Phase = .idle
    /// Counts launches; events carry the launch they are about, so news of an old child is ignored.
    public private(set) var launch = 0
    /// The wait before the next restart.
    public private(set) var nextBackoff: Duration
    let initialBackoff: Duration
    let maximumBackoff: Duration
    let resetAfter: Duration

    public init(initialBackoff: Duration = .seconds(1), maximumBackoff: Duration = .seconds(30), resetAfter: Duration = .seconds(30)) {
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.resetAfter = resetAfter
        self.nextBackoff = initialBackoff
    }

    /// Whether requests can go to the child.
    public var isReady: Bool {
        if case .ready = phase { return true }
        return false
    }

    /// Whether the current child, launch number `launch`, is still expected to start answering.
    public func isStarting(launch: Int) -> Bool {
        guard launch == self.launch, case .starting = phase else { return false }
        return true
    }

    public mutating func start(at now: Instant) -> Action {
        guard phase == .idle else { return .none }
        return launch(at: now)
    }

    /// The child of `launch` answered its readiness probe.
    public mutating func childAnswered(launch: Int, at now: Instant) -> Action {
        if isStarting(launch: launch) { phase = .ready(since: now) }
        return .none
    }

    /// The child of `launch` exited (or could not be launched at all).
    public mutating func childExited(launch: Int, at now: Instant) -> Action {
        guard launch == self.launch else { return .none }
        switch phase {
        case .starting, .ready:
            if case .ready(let since) = phase, since.duration(to: now) >= resetAfter {
                nextBackoff = initialBackoff
            }
            let delay = nextBackoff
            nextBackoff = min(nextBackoff * 2, maximumBackoff)
            phase = .backingOff(until: now + delay)
            return .restart(after: delay)
        case .stopping:
            phase = .stopped
            return .finish
        case .idle, .backingOff, .stopped:
            return .none
        }
    }

    public mutating func backoffElapsed(at now: Instant) -> Action {
        guard case .backingOff = phase else { return .none }
        return launch(at: now)
    }

    /// The worker is shutting down: stop the child, or finish at once when none runs.
    public mutating func shutdown() -> Action {
        switch phase {
        case .starting, .ready:
            phase = .stopping
            return .terminate
        case .idle, .backingOff:
            phase = .stopped
            return .finish
        case .stopping, .stopped:
            return .none
        }
    }

    /// How long a client turned away now should wait: until the next restart, at least a second.
    public func retryAfter(at now: Instant) -> Duration {
        guard case .backingOff(let until) = phase else { return .seconds(1) }
        return max(now.duration(to: until), .seconds(1))
    }

    private mutating func launch(at now: Instant) -> Action {
        launch += 1
        phase = .starting(since: now)
        return .launch
    }
}
