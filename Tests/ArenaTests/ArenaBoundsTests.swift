import Testing

@testable import Arena

@Suite struct OpenBattlesTests {
    func conversation(_ text: String, turns: Int = 1) -> Arena.BattleConversation {
        let message = ChatMessage(role: "user", content: text)
        return Arena.BattleConversation(modelA: "a", modelB: "b", messagesA: [message], messagesB: [message], turns: turns)
    }

    @Test func aConversationCountsBothSides() {
        #expect(conversation("12345").bytes == 2 * (4 + 5))
    }

    @Test func pastTheCountTheLeastRecentlyPlayedIsForgotten() {
        var open = OpenBattles(limits: BattleLimits(maxOpenBattles: 3))
        for id in ["1", "2", "3"] { open.save(conversation(id), as: id) }
        // Playing 1 again makes 2 the stalest.
        open.save(conversation("1", turns: 2), as: "1")
        open.save(conversation("4"), as: "4")
        #expect(open.count == 3)
        #expect(open["2"] == nil)
        #expect(open["1"]?.turns == 2)
        #expect(open["3"] != nil && open["4"] != nil)
    }

    @Test func pastTheBytesTheLeastRecentlyPlayedAreForgotten() {
        let small = conversation(String(repeating: "x", count: 96))  // 200 bytes
        var open = OpenBattles(limits: BattleLimits(maxOpenBytes: 1000, maxBattleBytes: 1000))
        for id in 0..<5 { open.save(small, as: "\(id)") }
        #expect(open.totalBytes == 1000)
        let big = conversation(String(repeating: "y", count: 296))  // 600 bytes
        let kept = open.save(big, as: "big")
        #expect(kept)
        #expect(open.totalBytes <= 1000)
        #expect(open["0"] == nil && open["1"] == nil && open["2"] == nil)
        #expect(open["3"] != nil && open["4"] != nil && open["big"] != nil)
    }

    @Test func aBattleOverItsOwnLimitIsNotKept() {
        var open = OpenBattles(limits: BattleLimits(maxBattleBytes: 100))
        open.save(conversation("short"), as: "1")
        let kept = open.save(conversation(String(repeating: "z", count: 2 << 20)), as: "1")
        #expect(!kept)
        #expect(open["1"] == nil)
        #expect(open.totalBytes == 0)
    }

    @Test func manyHugeBattlesStayWithinTheTotal() {
        let limits = BattleLimits(maxOpenBattles: 10_000, maxOpenBytes: 8 << 20, maxBattleBytes: 4 << 20)
        var open = OpenBattles(limits: limits)
        let huge = conversation(String(repeating: "m", count: (2 << 20) - 4))
        for id in 0..<50 { open.save(huge, as: "\(id)") }
        #expect(open.totalBytes <= limits.maxOpenBytes)
        #expect(open.count == 2)
        open.remove("49")
        open.remove("nope")
        #expect(open.count == 1)
        #expect(open.totalBytes == huge.bytes)
    }

    @Test func limitsBelowOneAreRaisedToOne() {
        let limits = BattleLimits(maxOpenBattles: -5, maxOpenBytes: 0, maxBattleBytes: .min, maxTurns: 0)
        #expect(limits == BattleLimits(maxOpenBattles: 1, maxOpenBytes: 1, maxBattleBytes: 1, maxTurns: 1))
    }
}

@Suite struct VoteLimiterTests {
    let start = ContinuousClock.now

    @Test func aBurstThenOneVotePerRefill() {
        var limiter = VoteLimiter(rate: VoteRate(perMinute: 6, burst: 3))
        for _ in 0..<3 { #expect(limiter.take(for: "v", now: start) == .allowed) }
        #expect(limiter.take(for: "v", now: start) == .limited(retryAfter: .seconds(10)))
        // Another voter has its own bucket.
        #expect(limiter.take(for: "w", now: start) == .allowed)
        #expect(limiter.take(for: "v", now: start + .seconds(5)) == .limited(retryAfter: .seconds(5)))
        #expect(limiter.take(for: "v", now: start + .seconds(10)) == .allowed)
        #expect(limiter.take(for: "v", now: start + .seconds(10)) != .allowed)
        // A long pause refills no more than the burst.
        for _ in 0..<3 { #expect(limiter.take(for: "v", now: start + .seconds(86_400 * 365)) == .allowed) }
        #expect(limiter.take(for: "v", now: start + .seconds(86_400 * 365)) != .allowed)
    }

    @Test func timeGoingBackwardsRefillsNothing() {
        var limiter = VoteLimiter(rate: VoteRate(perMinute: 60, burst: 1))
        #expect(limiter.take(for: "v", now: start + .seconds(100)) == .allowed)
        #expect(limiter.take(for: "v", now: start) != .allowed)
    }

    @Test func extremeRatesNeitherTrapNorPromiseForever() {
        var never = VoteLimiter(rate: VoteRate(perMinute: .nan, burst: 1))
        #expect(never.take(for: "v", now: start) == .allowed)
        #expect(never.take(for: "v", now: start) == .limited(retryAfter: .seconds(86_400)))
        var tiny = VoteLimiter(rate: VoteRate(perMinute: 1e-300, burst: 1))
        _ = tiny.take(for: "v", now: start)
        #expect(tiny.take(for: "v", now: start) == .limited(retryAfter: .seconds(86_400)))
        var huge = VoteLimiter(rate: VoteRate(perMinute: .infinity, burst: Int.max))
        #expect(huge.take(for: "v", now: start) == .allowed)
        #expect(VoteRate(perMinute: -1, burst: -1) == VoteRate(perMinute: 0, burst: 1))
    }

    @Test func theTableStaysBoundedUnderAFloodOfVoters() {
        var limiter = VoteLimiter(rate: VoteRate(perMinute: 1, burst: 2), maxVoters: 100)
        for index in 0..<10_000 { _ = limiter.take(for: "voter-\(index)", now: start + .milliseconds(index)) }
        #expect(limiter.voterCount <= 100)
        // The busiest recent voter keeps its (emptied) bucket when an idle, refilled one can go.
        var fair = VoteLimiter(rate: VoteRate(perMinute: 1, burst: 1), maxVoters: 2)
        #expect(fair.take(for: "idle", now: start) == .allowed)
        #expect(fair.take(for: "busy", now: start + .seconds(120)) == .allowed)
        #expect(fair.take(for: "new", now: start + .seconds(121)) == .allowed)
        #expect(fair.take(for: "busy", now: start + .seconds(121)) != .allowed)
        #expect(fair.voterCount == 2)
    }
}

@Suite struct VoterIdentityTests {
    @Test func withoutTrustedProxiesTheVoterIsThePeerWhateverTheHeaderSays() throws {
        let voter = TrustedProxies.none.voter(peer: "203.0.113.7", forwardedFor: ["1.1.1.1, 2.2.2.2"])
        #expect(voter == "203.0.113.7")
        #expect(TrustedProxies.none.voter(peer: "127.0.0.1", forwardedFor: ["10.0.0.1"]) == "127.0.0.1")
        #expect(TrustedProxies.none.voter(peer: nil, forwardedFor: ["10.0.0.1"]) == "unknown")
        #expect(TrustedProxies.none.voter(peer: "not an address", forwardedFor: []) == "unknown")
        #expect(try TrustedProxies(parsing: []) == .none)
        #expect(try TrustedProxies(parsing: ["", " , "]) == .none)
    }

    @Test func behindTrustedProxiesTheRightmostUntrustedHopIsTheVoter() throws {
        let proxies = try TrustedProxies(parsing: ["10.0.0.0/8,192.168.1.5", "fd00::/8"])
        // The client forged "6.6.6.6"; the proxies appended the real client 198.51.100.9 and one another.
        #expect(proxies.voter(peer: "10.1.2.3", forwardedFor: ["6.6.6.6, 198.51.100.9", "192.168.1.5"]) == "198.51.100.9")
        #expect(proxies.voter(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
        #expect(proxies.voter(peer: "10.1.2.3", forwardedFor: ["6.6.6.6, garbage"]) == "10.1.2.3")
        // Every hop trusted: the left-most stands for the client.
        #expect(proxies.voter(peer: "10.1.2.3", forwardedFor: ["10.9.9.9, 192.168.1.5"]) == "10.9.9.9")
        // A peer outside the list is the voter, whatever it forwards.
        #expect(proxies.voter(peer: "192.168.1.6", forwardedFor: ["6.6.6.6"]) == "192.168.1.6")
        #expect(proxies.voter(peer: "fd12::1", forwardedFor: ["2001:db8:1:2:3:4:5:6"]) == "2001:db8:1:2:0:0:0:0/64")
        #expect(proxies.voter(peer: "::ffff:10.0.0.1", forwardedFor: ["::ffff:198.51.100.9"]) == "198.51.100.9")
        let long = Array(repeating: "10.0.0.1", count: 10_000).joined(separator: ",")
        #expect(proxies.voter(peer: "10.0.0.1", forwardedFor: [long]) == "10.0.0.1")
    }

    @Test func anIPv6VoterIsItsSlash64() {
        let a = TrustedProxies.none.voter(peer: "2001:db8::1", forwardedFor: [])
        let b = TrustedProxies.none.voter(peer: "2001:db8::ffff:1234", forwardedFor: [])
        #expect(a == b)
        #expect(a == "2001:db8:0:0:0:0:0:0/64")
        #expect(TrustedProxies.none.voter(peer: "2001:db8:0:1::1", forwardedFor: []) != a)
        #expect(TrustedProxies.none.voter(peer: "fe80::1%eth0", forwardedFor: []) == "fe80:0:0:0:0:0:0:0/64")
    }

    @Test func proxyListsParseStrictly() throws {
        for bad in ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "host.example", "10.0.0.0/-1", "10.0.0.0/8/8"] {
            #expect(throws: (any Error).self) { try TrustedProxies(parsing: [bad]) }
        }
        let one = try TrustedProxies(parsing: ["192.168.1.5"])
        #expect(one.voter(peer: "192.168.1.5", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        #expect(one.voter(peer: "192.168.1.4", forwardedFor: ["198.51.100.1"]) == "192.168.1.4")
    }
}
