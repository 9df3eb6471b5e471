import Routing
import SwitchyardCore
import Testing

@Suite struct PrefixAwarePolicyTests {
    /// Blocks of 8 bytes keep the prompts short and their block boundaries visible.
    private func makePolicy(maxEntries: Int = 1000) -> PrefixAwarePolicy {
        PrefixAwarePolicy(blockSize: 8, maxEntries: maxEntries, imbalanceMargin: 4)
    }

    private func workers(loads: [Int]) -> [DispatchCandidate] {
        loads.enumerated().map { DispatchCandidate(address: "w\($0.offset)", inFlight: $0.element) }
    }

    private func choose(
        _ prompt: String?,
        loads: [Int],
        policy: inout PrefixAwarePolicy,
        random: inout SeededRandomNumberGenerator
    ) -> Int? {
        policy.choose(from: workers(loads: loads), for: RoutingRequest(model: "m", prompt: prompt), using: &random)
    }

    @Test func emptyCandidatesPickNothing() {
        var policy = makePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(policy.choose(from: [], for: RoutingRequest(model: "m", prompt: "AAAAAAAA"), using: &random) == nil)
        #expect(PrefixAwarePolicy().inputs == .prompt)
    }

    @Test func promptsSharingAPrefixStayOnOneWorker() {
        var policy = makePolicy()
        var random = SeededRandomNumberGenerator(seed: 3)
        let system = String(repeating: "You are helpful. ", count: 4)
        let first = choose(system + "What is 2 + 2?", loads: [0, 0, 0, 0], policy: &policy, random: &random)
        for question in 0..<20 {
            // Loads are equal, so without affinity these would scatter over the four workers.
            #expect(choose(system + "Question \(question)", loads: [0, 0, 0, 0], policy: &policy, random: &random) == first)
        }
    }

    @Test func theLongestMatchWins() {
        var policy = makePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let shared = "AAAAAAAABBBBBBBB"
        let longer = shared + "CCCCCCCCDDDDDDDD"
        #expect(choose(shared, loads: [0, 1], policy: &policy, random: &random) == 0)
        // w0 holds the first two blocks but is too busy, so w1 serves and holds all four.
        #expect(choose(longer, loads: [9, 0], policy: &policy, random: &random) == 1)
        #expect(choose(longer + "EEEEEEEE", loads: [0, 2], policy: &policy, random: &random) == 1)
    }

    @Test func aDifferentFirstBlockMatchesNothing() {
        var policy = makePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(choose("AAAAAAAABBBBBBBB", loads: [0, 1], policy: &policy, random: &random) == 0)
        // Same second block, but a prefix match needs every block before it to match too.
        #expect(choose("ZZZZZZZZBBBBBBBB", loads: [2, 0], policy: &policy, random: &random) == 1)
    }

    @Test func aHolderMoreThanTheMarginBehindLosesToTheLeastLoaded() {
        var policy = makePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let prompt = "AAAAAAAABBBBBBBB"
        #expect(choose(prompt, loads: [0, 1, 1], policy: &policy, random: &random) == 0)
        #expect(choose(prompt, loads: [4, 0, 1], policy: &policy, random: &random) == 0)
        #expect(choose(prompt, loads: [5, 0, 1], policy: &policy, random: &random) == 1)
    }

    @Test func evictedEntriesAreForgotten() {
        var random = SeededRandomNumberGenerator(seed: 1)
        let remembered = "AAAAAAAABBBBBBBB"
        let other = "XXXXXXXXYYYYYYYY"
        var picks: [Int?] = []
        for var policy in [makePolicy(maxEntries: 100), makePolicy(maxEntries: 2)] {
            _ = choose(remembered, loads: [0, 1], policy: &policy, random: &random)
            _ = choose(other, loads: [1, 0], policy: &policy, random: &random)
            picks.append(choose(remembered, loads: [2, 0], policy: &policy, random: &random))
        }
        // The roomy table still sends the prompt to w0; the tiny one evicted it for the other prompt.
        #expect(picks == [0, 1])
    }

    @Test func leadingBlocksOutliveDeeperOnes() {
        var policy = makePolicy(maxEntries: 3)
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(choose("AAAAAAAABBBBBBBB", loads: [0, 1], policy: &policy, random: &random) == 0)
        #expect(choose("XXXXXXXXYYYYYYYY", loads: [1, 0], policy: &policy, random: &random) == 1)
        // One entry had to go: w0's second block, not the first it shares with this prompt.
        #expect(choose("AAAAAAAAZZZZZZZZ", loads: [2, 0], policy: &policy, random: &random) == 0)
    }

    @Test func aDepartedWorkerAttractsNothing() {
        var policy = makePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        let prompt = "AAAAAAAABBBBBBBB"
        #expect(choose(prompt, loads: [0, 1, 1], policy: &policy, random: &random) == 0)
        let remaining = [DispatchCandidate(address: "w1", inFlight: 3), DispatchCandidate(address: "w2")]
        #expect(policy.choose(from: remaining, for: RoutingRequest(model: "m", prompt: prompt), using: &random) == 1)
        // w2 served it, so it now holds the prompt.
        let later = [DispatchCandidate(address: "w1"), DispatchCandidate(address: "w2", inFlight: 2)]
        #expect(policy.choose(from: later, for: RoutingRequest(model: "m", prompt: prompt), using: &random) == 1)
    }

    @Test func requestsWithoutAUsablePromptGoToTheLeastLoaded() {
        var policy = makePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(choose(nil, loads: [2, 0, 1], policy: &policy, random: &random) == 1)
        // Shorter than a block: nothing to match, and nothing recorded either.
        #expect(choose("short", loads: [0, 1], policy: &policy, random: &random) == 0)
        #expect(choose("short", loads: [1, 0], policy: &policy, random: &random) == 1)
    }
}
