/// FastChat's `shortest_queue` done right: the least `load / speed` wins, ties are broken at random
/// (FastChat always picks the first registered worker, which starves the others).
public struct ShortestQueuePolicy: DispatchPolicy {
    public init() {}

    public mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        candidates.randomIndexOfLeastWeightedLoad(using: &random)
    }
}
