/// A worker that could take a request, with the load figures a policy needs.
public struct DispatchCandidate: Sendable, Equatable {
    public var address: String
    /// FastChat's relative speed; non-positive (and NaN) speeds count as the smallest positive one.
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
    public var weightedLoad: Double { Double(load) / positiveSpeed }

    var positiveSpeed: Double { speed > .leastNormalMagnitude ? speed : .leastNormalMagnitude }
}

extension [DispatchCandidate] {
    /// The index of a candidate no other is less than, ties broken uniformly at random so no worker
    /// is favoured for its place in the list; nil when `indices` is empty.
    func randomIndexOfMinimum(
        among indices: some Sequence<Int>,
        by isLess: (DispatchCandidate, DispatchCandidate) -> Bool,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        var best: Int?
        var ties = 0
        for index in indices {
            guard let current = best, !isLess(self[index], self[current]) else {
                best = index
                ties = 1
                continue
            }
            guard !isLess(self[current], self[index]) else { continue }
            // Reservoir sampling: each tied candidate ends up chosen with probability 1/ties.
            ties += 1
            if Int.random(in: 0..<ties, using: &random) == 0 { best = index }
        }
        return best
    }

    /// shortest_queue's pick, which the affinity policies fall back on.
    func randomIndexOfLeastWeightedLoad(using random: inout some RandomNumberGenerator) -> Int? {
        randomIndexOfMinimum(among: indices, by: { $0.weightedLoad < $1.weightedLoad }, using: &random)
    }
}
