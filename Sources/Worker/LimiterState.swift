import DequeModule

/// The worker's admission rule: at most `limit` requests run, the rest wait first-in first-out.
///
/// Pure and synchronous; ``ConcurrencyLimiter`` wraps it with a lock and continuations.
/// Tickets are issued before a caller suspends, so a cancellation that arrives before the caller
/// has queued is remembered instead of lost.
public struct LimiterState: Sendable {
    public enum Admission: Sendable, Equatable {
        case run
        case wait
        case cancelled
    }

    public let limit: Int
    public private(set) var running = 0
    public private(set) var waiting: Deque<Int> = []
    private var issued: Set<Int> = []
    private var cancelledBeforeArrival: Set<Int> = []
    private var nextTicket = 0

    public init(limit: Int) {
        precondition(limit > 0, "concurrency limit must be positive")
        self.limit = limit
    }

    /// Running plus waiting: FastChat's `queue_length`.
    public var queueLength: Int { running + waiting.count }

    public mutating func issueTicket() -> Int {
        defer { nextTicket += 1 }
        issued.insert(nextTicket)
        return nextTicket
    }

    /// The caller holding `ticket` arrives: it runs now, waits, or learns it was cancelled meanwhile.
    public mutating func arrive(_ ticket: Int) -> Admission {
        issued.remove(ticket)
        if cancelledBeforeArrival.remove(ticket) != nil { return .cancelled }
        if running < limit && waiting.isEmpty {
            running += 1
            return .run
        }
        waiting.append(ticket)
        return .wait
    }

    /// The caller holding `ticket` gave up; returns true if it was waiting and must be woken with an error.
    public mutating func cancel(_ ticket: Int) -> Bool {
        if issued.contains(ticket) {
            cancelledBeforeArrival.insert(ticket)
            return false
        }
        guard let index = waiting.firstIndex(of: ticket) else { return false }
        waiting.remove(at: index)
        return true
    }

    /// A running request finished; returns the waiting ticket that now runs, if any.
    public mutating func release() -> Int? {
        precondition(running > 0, "release without a running request")
        guard let next = waiting.popFirst() else {
            running -= 1
            return nil
        }
        return next
    }
}
