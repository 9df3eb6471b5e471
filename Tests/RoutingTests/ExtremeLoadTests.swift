import Routing
import SwitchyardCore
import Testing

/// Policies given the largest numbers a worker or an operator can hand them: no trap, a pick.
@Suite struct ExtremeLoadTests {
    @Test func prefixMarginOfIntMaxDoesNotOverflow() {
        var policy = PrefixAwarePolicy(blockSize: 8, maxEntries: 100, imbalanceMargin: .max)
        var random = SeededRandomNumberGenerator(seed: 5)
        let candidates = [
            DispatchCandidate(address: "a", reportedQueue: .max),
            DispatchCandidate(address: "b", reportedQueue: .max - 1),
        ]
        let request = RoutingRequest(model: "m", prompt: String(repeating: "prompt!!", count: 4))
        let first = policy.choose(from: candidates, for: request, using: &random)
        #expect(first != nil)
        // The prefix holder wins whatever its load, as the margin allows any.
        #expect(policy.choose(from: candidates, for: request, using: &random) == first)
    }

    @Test func everyPolicyPicksAmongAbsurdWorkers() {
        let candidates = [
            DispatchCandidate(address: "a", speed: .nan, reportedQueue: .max, inFlight: 3),
            DispatchCandidate(address: "b", speed: .infinity, reportedQueue: .min),
            DispatchCandidate(address: "c", speed: 1.5e308, reportedQueue: .max),
            DispatchCandidate(address: "d", speed: -.infinity),
        ]
        for method in DispatchMethod.allCases {
            var policy = method.makePolicy()
            var random = SeededRandomNumberGenerator(seed: 6)
            for _ in 0..<20 {
                let pick = policy.choose(from: candidates, for: RoutingRequest(model: "m", sessionKey: "s", prompt: "p"), using: &random)
                #expect(pick.map(candidates.indices.contains) == true, "\(method)")
            }
        }
    }

    @Test func nanSpeedCountsAsTheSlowest() {
        #expect(DispatchCandidate(address: "a", speed: .nan, reportedQueue: 1).weightedLoad == 1 / Double.leastNormalMagnitude)
    }
}
