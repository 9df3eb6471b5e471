/// "The power of two choices": sample two distinct workers, the lower `load / speed` wins.
///
/// Almost as even as shortest_queue, but it never herds: when heartbeats are stale, or several
/// gateways see the same idle worker, shortest_queue sends them all there, while random samples
/// spread them out. The most loaded worker is never chosen unless tied.
public struct PowerOfTwoPolicy: DispatchPolicy {
    public init() {}

    public mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        guard candidates.count > 1 else { return candidates.indices.first }
        let first = Int.random(in: candidates.indices, using: &random)
        // Draw from the others by skipping over the first pick.
        var second = Int.random(in: 0..<candidates.count - 1, using: &random)
        if second >= first { second += 1 }
        let firstLoad = candidates[first].weightedLoad
        let secondLoad = candidates[second].weightedLoad
        if firstLoad == secondLoad { return Bool.random(using: &random) ? first : second }
        return firstLoad < secondLoad ? first : second
    }
}
