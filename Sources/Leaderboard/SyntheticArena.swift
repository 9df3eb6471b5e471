import Foundation
import SwitchyardCore

/// Seeded votes between models of known strength, for tests that must recover those strengths
/// and for benchmarks that need a million votes without a dump at hand.
public struct SyntheticArena: Sendable, Equatable {
    public var models: [String]
    /// True ratings on the leaderboard's scale (base 10, 400 points).
    public var ratings: [Double]
    /// The share of votes between equals that end in a tie; it shrinks as the gap grows.
    public var tieRate: Double

    public init(models: [String], ratings: [Double], tieRate: Double = 0.2) {
        precondition(models.count == ratings.count && models.count >= 2, "need at least two models, one rating each")
        precondition((0...1).contains(tieRate), "tieRate is a probability")
        self.models = models
        self.ratings = ratings
        self.tieRate = tieRate
    }

    /// `count` models named `model-00`, `model-01`… rated evenly from `lowest` to `highest`.
    public static func evenlySpaced(count: Int, from lowest: Double = 800, to highest: Double = 1300, tieRate: Double = 0.2) -> SyntheticArena {
        let width = String(max(count - 1, 1)).count
        let names = (0..<count).map { "model-" + String(repeating: "0", count: max(0, width - String($0).count)) + String($0) }
        let step = count > 1 ? (highest - lowest) / Double(count - 1) : 0
        return SyntheticArena(models: names, ratings: (0..<count).map { lowest + Double($0) * step }, tieRate: tieRate)
    }

    /// Uniformly random pairs of distinct models, one second apart.
    ///
    /// A tie happens with probability `tieRate × 2·min(p, 1 − p)` (a third of them "both bad")
    /// and the remaining mass is split so that A's expected score is exactly `p`; counting ties
    /// as half wins, the Bradley–Terry fit is then unbiased for the true ratings.
    public func battles(count: Int, seed: UInt64) -> [Battle] {
        var random = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { position in
            let a = Int.random(in: models.indices, using: &random)
            var b = Int.random(in: 0..<models.count - 1, using: &random)
            if b >= a { b += 1 }
            let p = 1 / (1 + pow(10, (ratings[b] - ratings[a]) / 400))
            let winner = outcome(p: p, draw: Double.random(in: 0..<1, using: &random))
            return Battle(modelA: models[a], modelB: models[b], winner: winner, timestamp: 1_700_000_000 + Double(position))
        }
    }

    /// The vote for A's win probability `p` and a uniform `draw`: ties as described in
    /// ``battles(count:seed:)``, so that A's expected score is exactly `p`.
    func outcome(p: Double, draw: Double) -> Battle.Winner {
        let tie = tieRate * 2 * min(p, 1 - p)
        return if draw < p - tie / 2 { .modelA }
            else if draw < p - tie / 6 { .tieBothBad }
            else if draw < p + tie / 2 { .tie }
            else { .modelB }
    }
}
