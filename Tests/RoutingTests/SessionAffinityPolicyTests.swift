import Routing
import SwitchyardCore
import Testing

@Suite struct SessionAffinityPolicyTests {
    private let sessions = (0..<1000).map { "session-\($0)" }

    private func workers(_ names: String...) -> [DispatchCandidate] {
        names.map { DispatchCandidate(address: $0) }
    }

    /// Session key → address of the worker each key lands on.
    private func placements(
        of keys: [String],
        on candidates: [DispatchCandidate],
        policy: inout SessionAffinityPolicy
    ) -> [String: String] {
        var random = SeededRandomNumberGenerator(seed: 1)
        var placed: [String: String] = [:]
        for key in keys {
            let request = RoutingRequest(model: "m", sessionKey: key)
            placed[key] = candidates[policy.choose(from: candidates, for: request, using: &random)!].address
        }
        return placed
    }

    @Test func emptyCandidatesPickNothing() {
        var policy = SessionAffinityPolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(policy.choose(from: [], for: RoutingRequest(model: "m", sessionKey: "s"), using: &random) == nil)
        #expect(policy.choose(from: [], for: RoutingRequest(model: "m"), using: &random) == nil)
    }

    @Test func asksForTheSessionKey() {
        #expect(SessionAffinityPolicy().inputs == .sessionKey)
    }

    @Test func aSessionStaysOnItsWorkerWhateverTheListOrder() {
        var policy = SessionAffinityPolicy()
        let candidates = workers("w0", "w1", "w2", "w3")
        let first = placements(of: sessions, on: candidates, policy: &policy)
        let again = placements(of: sessions, on: candidates.reversed(), policy: &policy)
        #expect(first == again)
    }

    @Test func sessionsSpreadOverAllWorkers() {
        var policy = SessionAffinityPolicy()
        var counts: [String: Int] = [:]
        for address in placements(of: sessions, on: workers("w0", "w1", "w2", "w3"), policy: &policy).values {
            counts[address, default: 0] += 1
        }
        #expect(counts.count == 4)
        for count in counts.values { #expect((170...330).contains(count), "counts: \(counts)") }
    }

    @Test func placementsAgreeAcrossProcesses() {
        // Pinned so a per-process seeded hash (Swift's hashValue) would fail here on some run, and
        // gateway replicas are guaranteed to agree.
        var policy = SessionAffinityPolicy()
        let placed = placements(of: ["alice", "bob", "carol", "dave"], on: workers("w0", "w1", "w2", "w3"), policy: &policy)
        #expect(placed == ["alice": "w3", "bob": "w3", "carol": "w2", "dave": "w0"])
    }

    @Test func aJoiningWorkerTakesAboutItsShareAndNoMore() {
        var policy = SessionAffinityPolicy()
        let before = placements(of: sessions, on: workers("w0", "w1", "w2"), policy: &policy)
        let after = placements(of: sessions, on: workers("w0", "w1", "w2", "w3"), policy: &policy)
        let moved = sessions.filter { before[$0] != after[$0] }
        #expect((150...300).contains(moved.count), "moved: \(moved.count)")
        // Sessions only move to the newcomer, never between the workers that stayed.
        #expect(moved.allSatisfy { after[$0] == "w3" })
    }

    @Test func aLeavingWorkerMovesOnlyItsOwnSessions() {
        var policy = SessionAffinityPolicy()
        let before = placements(of: sessions, on: workers("w0", "w1", "w2", "w3"), policy: &policy)
        let after = placements(of: sessions, on: workers("w0", "w1", "w3"), policy: &policy)
        let moved = sessions.filter { before[$0] != after[$0] }
        #expect(!moved.isEmpty)
        #expect(moved.allSatisfy { before[$0] == "w2" })
        #expect(sessions.allSatisfy { after[$0] != "w2" })
    }

    @Test func aSessionSpillsOverOnlyWhileItsWorkerIsOverTheBound() {
        var policy = SessionAffinityPolicy(loadBound: 1.25)
        var random = SeededRandomNumberGenerator(seed: 1)
        let request = RoutingRequest(model: "m", sessionKey: "alice")
        var candidates = workers("w0", "w1", "w2")
        let home = policy.choose(from: candidates, for: request, using: &random)!

        // Total load 4 over 3 workers: the bound is ceil(1.25 × 5 / 3) = 3, so a load of 2 still fits.
        candidates[home].inFlight = 2
        candidates[(home + 1) % 3].inFlight = 2
        #expect(policy.choose(from: candidates, for: request, using: &random) == home)

        // Total load 5: the bound stays 3, and the home worker's 3 + 1 exceeds it.
        candidates[home].inFlight = 3
        let overflow = policy.choose(from: candidates, for: request, using: &random)!
        #expect(overflow != home)
        #expect(policy.choose(from: candidates, for: request, using: &random) == overflow)

        candidates[home].inFlight = 0
        #expect(policy.choose(from: candidates, for: request, using: &random) == home)
    }

    @Test func aLooseBoundKeepsSessionsPutUnderLoad() {
        var policy = SessionAffinityPolicy(loadBound: .infinity)
        var random = SeededRandomNumberGenerator(seed: 1)
        let request = RoutingRequest(model: "m", sessionKey: "alice")
        var candidates = workers("w0", "w1", "w2")
        let home = policy.choose(from: candidates, for: request, using: &random)!
        candidates[home].inFlight = 100
        #expect(policy.choose(from: candidates, for: request, using: &random) == home)
    }

    @Test func aStaleReportedQueueDoesNotMoveASession() {
        var policy = SessionAffinityPolicy(loadBound: 1.25)
        var random = SeededRandomNumberGenerator(seed: 1)
        let request = RoutingRequest(model: "m", sessionKey: "alice")
        var candidates = workers("w0", "w1", "w2")
        let home = policy.choose(from: candidates, for: request, using: &random)!
        // The worker reported one request at its last heartbeat; this gateway has none in flight.
        candidates[home].reportedQueue = 1
        #expect(policy.choose(from: candidates, for: request, using: &random) == home)
    }

    @Test func requestsWithoutAKeyGoToTheLeastLoaded() {
        var policy = SessionAffinityPolicy()
        var random = SeededRandomNumberGenerator(seed: 4)
        let request = RoutingRequest(model: "m")
        let candidates = [
            DispatchCandidate(address: "a", reportedQueue: 2),
            DispatchCandidate(address: "b", inFlight: 1),
            DispatchCandidate(address: "c", reportedQueue: 1),
        ]
        var counts = [0, 0, 0]
        for _ in 0..<1000 {
            counts[policy.choose(from: candidates, for: request, using: &random)!] += 1
        }
        #expect(counts[0] == 0, "counts: \(counts)")
        #expect((400...600).contains(counts[1]), "counts: \(counts)")
    }
}
