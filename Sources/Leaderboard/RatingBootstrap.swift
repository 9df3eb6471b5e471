import SwitchyardCore

/// Confidence intervals the way FastChat's `compute_bootstrap_bt` gets them: each round draws
/// new counts for the collapsed rows from a multinomial (n = all battles, p = each row's share)
/// and refits.
///
/// Resampling counts instead of battles gives the same distribution at a fraction of the cost,
/// and the refit stays on the small table.
public struct RatingBootstrap: Sendable, Equatable {
    public var rounds: Int
    /// Every round gets its own generator seeded from this one, so the result does not depend on
    /// how rounds are spread over cores.
    public var seed: UInt64

    public init(rounds: Int = 100, seed: UInt64 = 0) {
        self.rounds = rounds
        self.seed = seed
    }

    /// `[round][model]`: the anchored ratings of every round, in ``BattleTable/models`` order;
    /// empty when there are no rounds or no battles.
    public func samples(for table: BattleTable, fitter: BradleyTerry = .init(), anchor: RatingAnchor? = nil) async -> [[Double]] {
        await resample(weights: table.rows.map { Double($0.count) }, draws: table.battleCount) { counts in
            let ratings = fitter.fit(table, weights: counts).ratings
            return anchor?.apply(to: ratings, models: table.models) ?? ratings
        }
    }

    /// `[round]`: the anchored ratings (in ``StyleControlTable/models`` order) followed by the
    /// style coefficients of every round; each round resamples the battles with replacement, as
    /// LMSYS's `compute_bootstrap_style_control` does. Empty when there are no rounds or battles.
    public func samples(for table: StyleControlTable, fitter: BradleyTerry = .init(), anchor: RatingAnchor? = nil) async -> [[Double]] {
        await resample(weights: [Double](repeating: 1, count: table.battleCount), draws: table.battleCount) { counts in
            let fit = fitter.fit(table, weights: counts)
            return (anchor?.apply(to: fit.ratings, models: table.models) ?? fit.ratings) + fit.coefficients
        }
    }

    /// Runs `fit` on `rounds` multinomial draws of `draws` rows in proportion to `weights`.
    private func resample(weights: [Double], draws: Int, fit: @escaping @Sendable ([Double]) -> [Double]) async -> [[Double]] {
        guard rounds > 0, draws > 0 else { return [] }
        var seeds = SeededRandomNumberGenerator(seed: seed)
        let roundSeeds = (0..<rounds).map { _ in seeds.next() }
        let alias = AliasTable(weights: weights)
        return await withTaskGroup(of: (Int, [Double]).self) { group in
            for (round, roundSeed) in roundSeeds.enumerated() {
                group.addTask {
                    var random = SeededRandomNumberGenerator(seed: roundSeed)
                    var counts = [Double](repeating: 0, count: weights.count)
                    counts.withUnsafeMutableBufferPointer { counts in
                        for _ in 0..<draws { counts[alias.sample(random.next())] += 1 }
                    }
                    return (round, fit(counts))
                }
            }
            var samples = [[Double]](repeating: [], count: rounds)
            for await (round, values) in group { samples[round] = values }
            return samples
        }
    }

    /// The `q` quantile with linear interpolation between order statistics (NumPy's and pandas'
    /// default, which FastChat's `quantile(0.025)` uses).
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        let position = Double(sorted.count - 1) * q
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
    }
}
