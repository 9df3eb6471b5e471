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
        guard rounds > 0, table.battleCount > 0 else { return [] }
        var seeds = SeededRandomNumberGenerator(seed: seed)
        let roundSeeds = (0..<rounds).map { _ in seeds.next() }
        let alias = AliasTable(weights: table.rows.map { Double($0.count) })
        return await withTaskGroup(of: (Int, [Double]).self) { group in
            for (round, roundSeed) in roundSeeds.enumerated() {
                group.addTask {
                    var random = SeededRandomNumberGenerator(seed: roundSeed)
                    var counts = [Double](repeating: 0, count: table.rows.count)
                    counts.withUnsafeMutableBufferPointer { counts in
                        for _ in 0..<table.battleCount { counts[alias.sample(random.next())] += 1 }
                    }
                    let ratings = fitter.fit(table, weights: counts).ratings
                    return (round, anchor?.apply(to: ratings, models: table.models) ?? ratings)
                }
            }
            var samples = [[Double]](repeating: [], count: rounds)
            for await (round, ratings) in group { samples[round] = ratings }
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
