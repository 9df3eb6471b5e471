import Leaderboard
import Testing

@Suite struct OnlineEloTests {
    /// K = 4, every model starts at 1000, E_a = 1 / (1 + 10^((R_b − R_a)/400)):
    /// 1. a beats b at 1000/1000: E_a = 0.5, a += 4·0.5 = 2 → a 1002, b 998.
    /// 2. b ties c at 998/1000: E_b = 1/(1 + 10^(2/400)) = 0.4971218, b += 4·(0.5 − 0.4971218)
    ///    = 0.0115128 → b 998.0115128, c 999.9884872.
    /// 3. c (as A) loses to a at 999.9884872/1002: E_c = 1/(1 + 10^(2.0115128/400)) = 0.4971052,
    ///    c += 4·(0 − 0.4971052) = −1.9884209 → c 998.0000663, a 1003.9884209.
    /// 4. a and b both bad at 1003.9884209/998.0115128: E_a = 1/(1 + 10^(−5.9769081/400))
    ///    = 0.5086006, a += 4·(0.5 − 0.5086006) = −0.0344025 → a 1003.9540185, b 998.0459153.
    private let battles = [
        Battle(modelA: "a", modelB: "b", winner: .modelA, timestamp: 1),
        Battle(modelA: "b", modelB: "c", winner: .tie, timestamp: 2),
        Battle(modelA: "c", modelB: "a", winner: .modelB, timestamp: 3),
        Battle(modelA: "a", modelB: "b", winner: .tieBothBad, timestamp: 4),
    ]

    @Test func matchesTheHandComputedSequence() {
        let ratings = OnlineElo().ratings(for: battles)
        #expect(abs(ratings["a"]! - 1003.9540185) < 1e-6)
        #expect(abs(ratings["b"]! - 998.0459153) < 1e-6)
        #expect(abs(ratings["c"]! - 998.0000663) < 1e-6)
    }

    @Test func battlesAreReplayedInTimestampOrder() {
        let shuffled = [battles[2], battles[0], battles[3], battles[1]]
        #expect(OnlineElo().ratings(for: shuffled) == OnlineElo().ratings(for: battles))
    }

    @Test func equalTimestampsKeepTheirArrayOrder() {
        // Order matters: a win at 1000/1000 (+2), then a loss as the 1002 favourite
        // (E = 1/(1 + 10^(−4/400)) = 0.5057562, −2.0230248) leaves a at 999.9769752; the other way
        // round a ends at 1000.0230248.
        let winFirst = [
            Battle(modelA: "a", modelB: "b", winner: .modelA, timestamp: 5),
            Battle(modelA: "a", modelB: "b", winner: .modelB, timestamp: 5),
        ]
        #expect(abs(OnlineElo().ratings(for: winFirst)["a"]! - 999.9769752) < 1e-6)
        #expect(abs(OnlineElo().ratings(for: winFirst.reversed())["a"]! - 1000.0230248) < 1e-6)
    }

    @Test func parametersAreHonoured() {
        let elo = OnlineElo(k: 32, base: 10, scale: 400, initialRating: 1500)
        let ratings = elo.ratings(for: [Battle(modelA: "x", modelB: "y", winner: .modelB)])
        #expect(ratings == ["x": 1484, "y": 1516])
        #expect(abs(elo.expectedScore(of: 1900, against: 1500) - 10.0 / 11.0) < 1e-12)
    }
}
