import Routing
import SwitchyardCore
import Testing

@Suite struct PowerOfTwoPolicyTests {
    private let request = RoutingRequest(model: "m")

    @Test func emptyCandidatesPickNothing() {
        var policy = PowerOfTwoPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(policy.choose(from: [], for: request, using: &random) == nil)
    }

    @Test func aSingleCandidateIsChosen() {
        var policy = PowerOfTwoPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [DispatchCandidate(address: "a", reportedQueue: 50)]
        #expect(policy.choose(from: candidates, for: request, using: &random) == 0)
    }

    @Test func ofTwoTheLessLoadedAlwaysWins() {
        var policy = PowerOfTwoPolicy()
        var random = SeededRandomNumberGenerator(seed: 5)
        // Sampling the same worker twice would sometimes return the loaded one.
        let candidates = [DispatchCandidate(address: "busy", inFlight: 3), DispatchCandidate(address: "idle", inFlight: 2)]
        for _ in 0..<200 {
            #expect(policy.choose(from: candidates, for: request, using: &random) == 1)
        }
    }

    @Test func lessLoadedWorkersWinMoreOften() {
        var policy = PowerOfTwoPolicy()
        var random = SeededRandomNumberGenerator(seed: 9)
        let candidates = (0..<4).map { DispatchCandidate(address: "w\($0)", reportedQueue: $0) }
        var counts = [0, 0, 0, 0]
        for _ in 0..<6000 {
            counts[policy.choose(from: candidates, for: request, using: &random)!] += 1
        }
        // Worker i wins the pairs it makes with busier workers: (3 - i) of the 6 pairs.
        #expect((2800...3200).contains(counts[0]), "counts: \(counts)")
        #expect((1800...2200).contains(counts[1]), "counts: \(counts)")
        #expect((800...1200).contains(counts[2]), "counts: \(counts)")
        #expect(counts[3] == 0, "counts: \(counts)")
    }

    @Test func speedScalesTheLoad() {
        var policy = PowerOfTwoPolicy()
        var random = SeededRandomNumberGenerator(seed: 2)
        let candidates = [
            DispatchCandidate(address: "slow", speed: 1, reportedQueue: 2),
            DispatchCandidate(address: "fast", speed: 4, reportedQueue: 4),
        ]
        #expect(policy.choose(from: candidates, for: request, using: &random) == 1)
    }

    @Test func tiesAreBrokenEvenly() {
        var policy = PowerOfTwoPolicy()
        var random = SeededRandomNumberGenerator(seed: 11)
        let candidates = [DispatchCandidate(address: "a", inFlight: 1), DispatchCandidate(address: "b", inFlight: 1)]
        var picksOfA = 0
        for _ in 0..<2000 where policy.choose(from: candidates, for: request, using: &random) == 0 {
            picksOfA += 1
        }
        #expect((900...1100).contains(picksOfA))
    }
}
