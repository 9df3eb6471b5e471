import Arena
import SwitchyardCore
import Testing

@Suite struct BattleSamplerTests {
    @Test func drawsTwoDifferentModelsWithoutConfiguration() {
        let sampler = BattleSampler()
        var random = SeededRandomNumberGenerator(seed: 1)
        var pairs = Set<String>()
        for _ in 0..<600 {
            let pair = sampler.draw(from: ["x", "y", "z"], using: &random)!
            #expect(pair.a != pair.b)
            pairs.insert(pair.a + ">" + pair.b)
        }
        // All six ordered pairs occur: both sides and every opponent.
        #expect(pairs.count == 6)
    }

    @Test func fewerThanTwoModelsIsNoBattle() {
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(BattleSampler().draw(from: [], using: &random) == nil)
        #expect(BattleSampler().draw(from: ["only", "only"], using: &random) == nil)
        #expect(BattleSampler(weights: ["b": 0]).draw(from: ["a", "b"], using: &random) == nil)
    }

    @Test func weightsShiftTheDraw() {
        let sampler = BattleSampler(weights: ["heavy": 8, "off": 0])
        var random = SeededRandomNumberGenerator(seed: 2)
        var heavyBattles = 0
        for _ in 0..<1000 {
            let pair = sampler.draw(from: ["heavy", "light-1", "light-2", "off"], using: &random)!
            #expect(pair.a != "off" && pair.b != "off")
            if pair.a == "heavy" || pair.b == "heavy" { heavyBattles += 1 }
        }
        // heavy is drawn first 80 % of the time, and as the rival 8 times in 9 of the rest: 97.8 %.
        // Unweighted it would fight in two battles of three.
        #expect((955...995).contains(heavyBattles), "\(heavyBattles)")
    }

    @Test func targetsAreMetHalfTheTime() {
        let sampler = BattleSampler(weights: ["new": 1_000_000], targets: ["new": ["rival"]])
        var random = SeededRandomNumberGenerator(seed: 3)
        var againstRival = 0
        for _ in 0..<1000 {
            let pair = sampler.draw(from: ["new", "rival", "m1", "m2", "m3"], using: &random)!
            if Set([pair.a, pair.b]) == ["new", "rival"] { againstRival += 1 }
        }
        // Half the draws go to the target; a quarter of the others pick it anyway among four rivals.
        #expect((560...690).contains(againstRival), "\(againstRival)")
    }
}
