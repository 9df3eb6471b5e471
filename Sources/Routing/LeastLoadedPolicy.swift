/// Least connections: the fewest requests this gateway has in flight per unit of speed wins; the
/// reported queue only breaks ties, and chance breaks the rest.
///
/// shortest_queue ranks by `max(reportedQueue, inFlight)`, so a heartbeat seconds old can
/// outweigh what the gateway knows now. least_loaded trusts its own live count, which is exact and
/// current but blind to other gateways' traffic: it suits a single gateway, or workers whose
/// heartbeats lag behind bursts.
public struct LeastLoadedPolicy: DispatchPolicy {
    public init() {}

    public mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        candidates.randomIndexOfMinimum(among: candidates.indices, by: Self.isLess, using: &random)
    }

    private static func isLess(_ a: DispatchCandidate, _ b: DispatchCandidate) -> Bool {
        let aInFlight = Double(a.inFlight) / a.positiveSpeed
        let bInFlight = Double(b.inFlight) / b.positiveSpeed
        if aInFlight != bInFlight { return aInFlight < bInFlight }
        return Double(a.reportedQueue) / a.positiveSpeed < Double(b.reportedQueue) / b.positiveSpeed
    }
}
