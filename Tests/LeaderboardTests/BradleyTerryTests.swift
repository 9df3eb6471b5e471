import Foundation
import Leaderboard
import Testing

@Suite struct BradleyTerryTests {
    private func battles(_ a: String, _ b: String, _ winner: Battle.Winner, times: Int) -> [Battle] {
        Array(repeating: Battle(modelA: a, modelB: b, winner: winner), count: times)
    }

    private func ratings(_ battles: [Battle], _ fitter: BradleyTerry = .init()) -> [String: Double] {
        let table = BattleTable(battles)
        let fit = fitter.fit(table)
        #expect(fit.converged)
        return Dictionary(uniqueKeysWithValues: zip(table.models, fit.ratings))
    }

    @Test func twoModelsGetTheGapOfTheirScoreShare() {
        // With two models the maximum likelihood has a closed form: p = score / battles and the
        // gap is 400·log10(p / (1 − p)). 3 wins and a tie for a: p = 3.5 / 4, gap = 400·log10(7).
        let result = ratings(battles("a", "b", .modelA, times: 3) + battles("a", "b", .tie, times: 1))
        #expect(abs(result["a"]! - result["b"]! - 400 * log10(7)) < 1e-6)
        // Without an anchor the mean stays at the initial rating.
        #expect(abs(result["a"]! + result["b"]! - 2000) < 1e-9)
    }

    @Test func tiesOfEitherKindAreHalfAWin() {
        let plain = ratings(battles("a", "b", .modelA, times: 2) + battles("b", "a", .tie, times: 2))
        let bothBad = ratings(battles("a", "b", .modelA, times: 2) + battles("a", "b", .tieBothBad, times: 2))
        // Score 3 of 4 either way: the side a tie is recorded on does not matter.
        #expect(abs(plain["a"]! - plain["b"]! - 400 * log10(3)) < 1e-6)
        #expect(abs(bothBad["a"]! - plain["a"]!) < 1e-9)
        let onlyTies = ratings(battles("a", "b", .tie, times: 3) + battles("b", "a", .tieBothBad, times: 2))
        #expect(abs(onlyTies["a"]! - onlyTies["b"]!) < 1e-9)
    }

    @Test func aModelThatNeverWinsStaysFiniteAndLast() {
        let battles = battles("b", "c", .modelA, times: 30) + battles("c", "b", .modelA, times: 30)
            + battles("loser", "b", .modelB, times: 20) + battles("c", "loser", .modelA, times: 20)
        let table = BattleTable(battles)
        let fit = BradleyTerry().fit(table)
        let result = Dictionary(uniqueKeysWithValues: zip(table.models, fit.ratings))
        #expect(fit.converged)
        #expect(fit.iterations < 100)
        #expect(result.values.allSatisfy { $0.isFinite })
        // No finite maximum exists; the fit stops when the loser's expected wins drop below the
        // tolerance, which is far below, but b and c keep the gap their own battles give (none).
        #expect(result["loser"]! < result["b"]! - 1000)
        #expect(abs(result["b"]! - result["c"]!) < 1e-6)
    }

    @Test func aModelThatNeverLosesStaysFiniteAndFirst() {
        let battles = battles("b", "c", .modelA, times: 10) + battles("c", "b", .modelA, times: 5)
            + battles("winner", "b", .modelA, times: 8) + battles("c", "winner", .modelB, times: 8)
        let result = ratings(battles)
        #expect(result.values.allSatisfy { $0.isFinite })
        #expect(result["winner"]! > result["b"]! + 1000)
        // b took 10 of 15 from c.
        #expect(abs(result["b"]! - result["c"]! - 400 * log10(2)) < 1e-3)
    }

    @Test func groupsThatNeverMetKeepTheirOwnMean() {
        let result = ratings(battles("a", "b", .modelA, times: 3) + battles("b", "a", .modelA, times: 1)
            + battles("x", "y", .modelA, times: 1) + battles("y", "x", .modelA, times: 3))
        #expect(abs(result["a"]! + result["b"]! - 2000) < 1e-6)
        #expect(abs(result["x"]! + result["y"]! - 2000) < 1e-6)
        #expect(abs(result["a"]! - result["b"]! - 400 * log10(3)) < 1e-6)
        #expect(abs(result["y"]! - result["x"]! - 400 * log10(3)) < 1e-6)
    }

    @Test func recoversKnownStrengths() {
        // 6 models at 800, 900, …, 1300; 12 000 battles give each model ~4 000, where one
        // battle carries (ln 10 / 400)² · p(1 − p) ≈ 6.6e-6 of Fisher information per point²
        // (p(1 − p) ≈ 0.2), so a rating's standard error is ≈ 1/√(4000 · 6.6e-6) ≈ 6 points and
        // a gap's ≈ 9. 30 points is over 3 standard errors: a correct fit cannot miss it by
        // chance, while a wrong scale (e.g. natural log instead of base 10) misses by ~100.
        let arena = SyntheticArena.evenlySpaced(count: 6, from: 800, to: 1300)
        let result = ratings(arena.battles(count: 12_000, seed: 7))
        let trueMean = arena.ratings.reduce(0, +) / 6
        for (model, truth) in zip(arena.models, arena.ratings) {
            #expect(abs(result[model]! - 1000 - (truth - trueMean)) < 30, "\(model): \(result[model]!)")
        }
        let order = result.keys.sorted { result[$0]! < result[$1]! }
        #expect(order == arena.models)
    }

    @Test func scaleAndBaseSetTheUnits() {
        let battles = battles("a", "b", .modelA, times: 3) + battles("b", "a", .modelA, times: 1)
        let natural = ratings(battles, BradleyTerry(base: M_E, scale: 1, initialRating: 0))
        // In natural-log units the gap is the log-odds itself.
        #expect(abs(natural["a"]! - natural["b"]! - log(3)) < 1e-8)
    }

    @Test func theIterationCapIsHonoured() {
        let fit = BradleyTerry(maxIterations: 1).fit(BattleTable(battles("a", "b", .modelA, times: 99) + battles("b", "a", .modelA, times: 1)))
        #expect(fit.iterations == 1)
        #expect(!fit.converged)
    }
}
