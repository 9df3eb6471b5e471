import Routing
import SwitchyardCore
import Testing

@Suite struct ShortestQueuePolicyTests {
    @Test func emptyCandidatesPickNothing() {
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(policy.choose(from: [], for: RoutingRequest(model: "m"), using: &random) == nil)
    }

    @Test func picksTheLeastLoaded() {
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [
            DispatchCandidate(address: "a", reportedQueue: 3),
            DispatchCandidate(address: "b", reportedQueue: 1, inFlight: 0),
            DispatchCandidate(address: "c", reportedQueue: 0, inFlight: 2),
        ]
        #expect(policy.choose(from: candidates, for: RoutingRequest(model: "m"), using: &random) == 1)
    }

    @Test func inFlightCountsEvenBeforeTheNextHeartbeat() {
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [
            DispatchCandidate(address: "a", reportedQueue: 0, inFlight: 5),
            DispatchCandidate(address: "b", reportedQueue: 1, inFlight: 1),
        ]
        #expect(policy.choose(from: candidates, for: RoutingRequest(model: "m"), using: &random) == 1)
    }

    @Test func speedScalesTheLoad() {
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [
            DispatchCandidate(address: "slow", speed: 1, reportedQueue: 2),
            DispatchCandidate(address: "fast", speed: 4, reportedQueue: 4),
        ]
        #expect(policy.choose(from: candidates, for: RoutingRequest(model: "m"), using: &random) == 1)
    }

    @Test func tiesAreBrokenEvenly() {
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 42)
        let candidates = (0..<3).map { DispatchCandidate(address: "w\($0)") }
        var counts = [0, 0, 0]
        for _ in 0..<3000 {
            counts[policy.choose(from: candidates, for: RoutingRequest(model: "m"), using: &random)!] += 1
        }
        // FastChat sends every tie to the first worker; here each gets about a third.
        for count in counts { #expect((850...1150).contains(count), "counts: \(counts)") }
    }

    @Test func zeroSpeedDoesNotCrash() {
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [DispatchCandidate(address: "a", speed: 0, reportedQueue: 1), DispatchCandidate(address: "b", speed: 1, reportedQueue: 1)]
        #expect(policy.choose(from: candidates, for: RoutingRequest(model: "m"), using: &random) == 1)
    }
}

@Suite struct LotteryPolicyTests {
    @Test func drawsInProportionToSpeed() {
        var policy = LotteryPolicy()
        var random = SeededRandomNumberGenerator(seed: 7)
        let candidates = [DispatchCandidate(address: "a", speed: 1), DispatchCandidate(address: "b", speed: 3)]
        var picksOfB = 0
        for _ in 0..<4000 where policy.choose(from: candidates, for: RoutingRequest(model: "m"), using: &random) == 1 {
            picksOfB += 1
        }
        #expect((2800...3200).contains(picksOfB))
    }

    @Test func allZeroSpeedsFallBackToUniform() {
        var policy = LotteryPolicy()
        var random = SeededRandomNumberGenerator(seed: 7)
        let candidates = [DispatchCandidate(address: "a", speed: 0), DispatchCandidate(address: "b", speed: 0)]
        #expect(policy.choose(from: candidates, for: RoutingRequest(model: "m"), using: &random) != nil)
        #expect(policy.choose(from: [], for: RoutingRequest(model: "m"), using: &random) == nil)
    }

    @Test func methodsAreSelectableByFastChatName() {
        #expect(DispatchMethod(rawValue: "shortest_queue") == .shortestQueue)
        #expect(DispatchMethod(rawValue: "lottery") == .lottery)
        #expect(DispatchMethod(rawValue: "random") == nil)
    }
}
