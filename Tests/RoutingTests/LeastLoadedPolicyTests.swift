import Routing
import SwitchyardCore
import Testing

@Suite struct LeastLoadedPolicyTests {
    private let request = RoutingRequest(model: "m")

    @Test func emptyCandidatesPickNothing() {
        var policy = LeastLoadedPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(policy.choose(from: [], for: request, using: &random) == nil)
    }

    @Test func picksTheFewestInFlight() {
        var policy = LeastLoadedPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [
            DispatchCandidate(address: "a", inFlight: 4),
            DispatchCandidate(address: "b", inFlight: 2),
            DispatchCandidate(address: "c", inFlight: 3),
        ]
        #expect(policy.choose(from: candidates, for: request, using: &random) == 1)
    }

    @Test func trustsItsOwnCountOverAStaleHeartbeat() {
        var leastLoaded = LeastLoadedPolicy()
        var shortestQueue = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        // "b" reported a long queue at its last beat; this gateway has nothing running there now.
        let candidates = [
            DispatchCandidate(address: "a", reportedQueue: 0, inFlight: 1),
            DispatchCandidate(address: "b", reportedQueue: 5, inFlight: 0),
        ]
        #expect(leastLoaded.choose(from: candidates, for: request, using: &random) == 1)
        #expect(shortestQueue.choose(from: candidates, for: request, using: &random) == 0)
    }

    @Test func reportedQueueBreaksTies() {
        var policy = LeastLoadedPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [
            DispatchCandidate(address: "a", reportedQueue: 3, inFlight: 1),
            DispatchCandidate(address: "b", reportedQueue: 2, inFlight: 1),
            DispatchCandidate(address: "c", reportedQueue: 0, inFlight: 2),
        ]
        for _ in 0..<50 {
            #expect(policy.choose(from: candidates, for: request, using: &random) == 1)
        }
    }

    @Test func speedScalesTheCount() {
        var policy = LeastLoadedPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [
            DispatchCandidate(address: "slow", speed: 1, inFlight: 2),
            DispatchCandidate(address: "fast", speed: 4, inFlight: 4),
        ]
        #expect(policy.choose(from: candidates, for: request, using: &random) == 1)
    }

    @Test func fullTiesAreBrokenEvenly() {
        var policy = LeastLoadedPolicy()
        var random = SeededRandomNumberGenerator(seed: 42)
        let candidates = (0..<3).map { DispatchCandidate(address: "w\($0)", reportedQueue: 1, inFlight: 1) }
        var counts = [0, 0, 0]
        for _ in 0..<3000 {
            counts[policy.choose(from: candidates, for: request, using: &random)!] += 1
        }
        for count in counts { #expect((850...1150).contains(count), "counts: \(counts)") }
    }
}
