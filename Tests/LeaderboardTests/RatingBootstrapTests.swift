import Leaderboard
import Testing

@Suite struct RatingBootstrapTests {
    private let table = BattleTable(SyntheticArena.evenlySpaced(count: 6).battles(count: 6_000, seed: 3))

    @Test func aSeedReproducesTheRounds() async {
        let first = await RatingBootstrap(rounds: 20, seed: 42).samples(for: table)
        let again = await RatingBootstrap(rounds: 20, seed: 42).samples(for: table)
        let other = await RatingBootstrap(rounds: 20, seed: 43).samples(for: table)
        #expect(first.count == 20)
        #expect(first.allSatisfy { $0.count == 6 })
        #expect(first == again)
        #expect(first != other)
        // Rounds differ from each other: each draws its own resample.
        #expect(Set(first.map { $0[0] }).count == 20)
    }

    @Test func roundsAreCentredOnTheFitAndBracketIt() async {
        let rating = BradleyTerry().fit(table).ratings
        let samples = await RatingBootstrap(rounds: 100, seed: 0).samples(for: table)
        for model in table.models.indices {
            let values = samples.map { $0[model] }
            let lower = RatingBootstrap.quantile(values, 0.025)
            let upper = RatingBootstrap.quantile(values, 0.975)
            #expect(lower < rating[model] && rating[model] < upper)
            // A biased resampler would shift the rounds; a fair one keeps their mean within a
            // small part of the interval from the fit.
            let mean = values.reduce(0, +) / Double(values.count)
            #expect(abs(mean - rating[model]) < (upper - lower) / 8, "model \(model)")
            // ~2 000 battles per model: a 95 % interval of ±2 standard errors (~9 points each).
            #expect((15...60).contains(upper - lower), "model \(model): \(upper - lower)")
        }
    }

    @Test func everyRoundIsAnchored() async {
        let anchor = RatingAnchor(model: "model-2", rating: 1114)
        let samples = await RatingBootstrap(rounds: 5, seed: 1).samples(for: table, anchor: anchor)
        #expect(samples.allSatisfy { $0[2] == 1114 })
    }

    @Test func noRoundsOrNoBattlesGiveNoSamples() async {
        #expect(await RatingBootstrap(rounds: 0).samples(for: table).isEmpty)
        #expect(await RatingBootstrap(rounds: 3).samples(for: BattleTable([])).isEmpty)
    }

    @Test func quantilesInterpolateLikeNumPy() {
        // numpy.quantile([4, 1, 3, 2], 0.025) = 1 + 0.075·(2 − 1); 0.975 → 3 + 0.925·(4 − 3).
        #expect(abs(RatingBootstrap.quantile([4, 1, 3, 2], 0.025) - 1.075) < 1e-12)
        #expect(abs(RatingBootstrap.quantile([4, 1, 3, 2], 0.975) - 3.925) < 1e-12)
        #expect(RatingBootstrap.quantile([7], 0.5) == 7)
    }
}
