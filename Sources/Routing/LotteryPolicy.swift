/// FastChat's `lottery`: a random draw weighted by worker speed, blind to load.
public struct LotteryPolicy: DispatchPolicy {
    public init() {}

    public mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        let total = candidates.reduce(0) { $0 + max($1.speed, 0) }
        guard !candidates.isEmpty else { return nil }
        guard total > 1e-4, total.isFinite else { return Int.random(in: 0..<candidates.count, using: &random) }
        var ticket = Double.random(in: 0..<total, using: &random)
        for (index, candidate) in candidates.enumerated() {
            ticket -= max(candidate.speed, 0)
            if ticket < 0 { return index }
        }
        return candidates.count - 1
    }
}
