/// A worker that could take a request, with the load figures a policy needs.
public struct DispatchCandidate: Sendable, Equatable {
    public var address: String
    /// FastChat's relative speed; non-positive speeds count as the smallest positive one.
    public var speed: Double
    /// Requests the worker reported at its last heartbeat (running + waiting, all gateways).
    public var reportedQueue: Int
    /// Requests this gateway has sent to the worker and not seen finish.
    public var inFlight: Int

    public init(address: String, speed: Double = 1, reportedQueue: Int = 0, inFlight: Int = 0) {
        self.address = address
        self.speed = speed
        self.reportedQueue = reportedQueue
        self.inFlight = inFlight
    }

    /// The load a policy compares.
    ///
    /// The reported queue already contains this gateway's requests as of the last beat, so adding the
    /// two would count them twice; the larger is the best estimate of what the worker has now.
    public var load: Int { max(reportedQueue, inFlight) }

    /// Load per unit of speed, FastChat's `queue_length / speed`.
    public var weightedLoad: Double { Double(load) / max(speed, .leastNormalMagnitude) }
}
