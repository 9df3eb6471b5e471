/// The deadlines of one connection, without I/O: when the request being read must be complete
/// and when a stalled write gives up. The idle and head deadline is Hummingbird's `idleTimeout`.
struct ConnectionDeadlines: Sendable {
    let requestTimeout: Duration
    let writeTimeout: Duration
    private(set) var requestStarted: ContinuousClock.Instant?
    private(set) var unwritableSince: ContinuousClock.Instant?

    init(requestTimeout: Duration, writeTimeout: Duration) {
        self.requestTimeout = requestTimeout
        self.writeTimeout = writeTimeout
    }

    mutating func requestHead(at now: ContinuousClock.Instant) {
        requestStarted = now
    }

    mutating func requestEnd() {
        requestStarted = nil
    }

    /// The socket stopped (or resumed) taking what is written to it.
    mutating func writability(_ isWritable: Bool, at now: ContinuousClock.Instant) {
        if isWritable {
            unwritableSince = nil
        } else if unwritableSince == nil {
            unwritableSince = now
        }
    }

    /// The earliest moment the connection is overdue, or nil when nothing is pending.
    var deadline: ContinuousClock.Instant? {
        let request = requestStarted.map { $0 + requestTimeout }
        let write = unwritableSince.map { $0 + writeTimeout }
        switch (request, write) {
        case (let request?, let write?): return min(request, write)
        case (let request?, nil): return request
        case (nil, let write?): return write
        case (nil, nil): return nil
        }
    }

    func isOverdue(at now: ContinuousClock.Instant) -> Bool {
        deadline.map { now >= $0 } ?? false
    }
}
