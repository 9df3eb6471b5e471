/// Workers take turns, blind to load and speed: the even baseline for alike workers.
///
/// The turn is remembered as the last address served, not a position in the list, because workers
/// join and leave between calls. The next pick is the next address in sorted order after it,
/// wrapping around, so a newcomer gets its turn when the rotation reaches it and a departure
/// neither restarts the rotation nor costs anyone a turn.
public struct RoundRobinPolicy: DispatchPolicy {
    private var lastAddress: String?

    public init() {}

    public mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        var lowest: Int?
        var nextAfterLast: Int?
        for (index, candidate) in candidates.enumerated() {
            if lowest.map({ candidate.address < candidates[$0].address }) ?? true {
                lowest = index
            }
            if let lastAddress, candidate.address > lastAddress,
                nextAfterLast.map({ candidate.address < candidates[$0].address }) ?? true
            {
                nextAfterLast = index
            }
        }
        guard let chosen = nextAfterLast ?? lowest else { return nil }
        lastAddress = candidates[chosen].address
        return chosen
    }
}
