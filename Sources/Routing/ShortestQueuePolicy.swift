/// FastChat's `shortest_queue` done right: the least `load / speed` wins, ties are broken at random
/// (FastChat always picks the first registered worker, which starves the others).
public struct ShortestQueuePolicy: DispatchPolicy {
    public init() {}

    public mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        var best: Int?
        var bestLoad = Double.infinity
        var ties = 0
        for (index, candidate) in candidates.enumerated() {
            let load = candidate.weightedLoad
            if load < bestLoad {
                best = index
                bestLoad = load
                ties = 1
            } else if load == bestLoad {
                // Reservoir sampling: each tied candidate ends up chosen with probability 1/ties.
                ties += 1
                if Int.random(in: 0..<ties, using: &random) == 0 { best = index }
            }
        }
        return best
    }
}
