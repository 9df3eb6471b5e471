import Routing
import SwitchyardCore
import Testing

@Suite struct RoundRobinPolicyTests {
    private let request = RoutingRequest(model: "m")

    private func addresses(
        _ count: Int,
        from candidates: [DispatchCandidate],
        policy: inout RoundRobinPolicy,
        random: inout SeededRandomNumberGenerator
    ) -> [String] {
        (0..<count).map { _ in candidates[policy.choose(from: candidates, for: request, using: &random)!].address }
    }

    @Test func emptyCandidatesPickNothing() {
        var policy = RoundRobinPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(policy.choose(from: [], for: request, using: &random) == nil)
    }

    @Test func everyWorkerGetsExactlyTheSameShare() {
        var policy = RoundRobinPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let candidates = [
            DispatchCandidate(address: "a", reportedQueue: 9),
            DispatchCandidate(address: "b"),
            DispatchCandidate(address: "c", speed: 5),
        ]
        var counts: [String: Int] = [:]
        for address in addresses(300, from: candidates, policy: &policy, random: &random) {
            counts[address, default: 0] += 1
        }
        #expect(counts == ["a": 100, "b": 100, "c": 100])
    }

    @Test func rotationFollowsAddressesNotListPositions() {
        var policy = RoundRobinPolicy()
        var random = SeededRandomNumberGenerator(seed: 3)
        var picks: [String] = []
        for _ in 0..<6 {
            // The directory may list workers in any order from one call to the next.
            var candidates = ["a", "b", "c"].map { DispatchCandidate(address: $0) }
            candidates.shuffle(using: &random)
            picks.append(candidates[policy.choose(from: candidates, for: request, using: &random)!].address)
        }
        #expect(picks == ["a", "b", "c", "a", "b", "c"])
    }

    @Test func aJoiningWorkerTakesItsTurnWithoutResettingTheRotation() {
        var policy = RoundRobinPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let before = ["a", "c", "e"].map { DispatchCandidate(address: $0) }
        #expect(addresses(2, from: before, policy: &policy, random: &random) == ["a", "c"])
        let after = before + [DispatchCandidate(address: "b"), DispatchCandidate(address: "d")]
        // "e" still gets its turn; the newcomers are served as the rotation reaches them.
        #expect(addresses(6, from: after, policy: &policy, random: &random) == ["d", "e", "a", "b", "c", "d"])
    }

    @Test func aLeavingWorkerCostsNobodyATurn() {
        var policy = RoundRobinPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let all = ["a", "b", "c", "d"].map { DispatchCandidate(address: $0) }
        #expect(addresses(2, from: all, policy: &policy, random: &random) == ["a", "b"])
        // "b", the worker served last, leaves: the rotation carries on from where it stood.
        let remaining = all.filter { $0.address != "b" }
        #expect(addresses(4, from: remaining, policy: &policy, random: &random) == ["c", "d", "a", "c"])
    }
}
