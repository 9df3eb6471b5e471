import Foundation

/// FastChat's online Elo (`elo_rating_online`): one pass over the battles in time order.
///
/// Unlike Bradley–Terry it depends on the order of the votes and weighs recent ones more, so the
/// arena reports it next to the fitted rating rather than instead of it.
public struct OnlineElo: Sendable, Equatable {
    /// How far one battle moves the ratings.
    public var k: Double
    public var base: Double
    public var scale: Double
    /// Every model's rating before its first battle.
    public var initialRating: Double

    public init(k: Double = 4, base: Double = 10, scale: Double = 400, initialRating: Double = 1000) {
        self.k = k
        self.base = base
        self.scale = scale
        self.initialRating = initialRating
    }

    /// The probability that a model rated `rating` beats one rated `opponent`.
    public func expectedScore(of rating: Double, against opponent: Double) -> Double {
        1 / (1 + pow(base, (opponent - rating) / scale))
    }

    /// Each model's rating after replaying `battles` by timestamp; equal timestamps keep their
    /// order in the array, so the result never depends on how a sort happens to break ties.
    public func ratings(for battles: [Battle]) -> [String: Double] {
        var index: [String: Int] = [:]
        var ratings: [Double] = []
        func slot(_ model: String) -> Int {
            if let known = index[model] { return known }
            index[model] = ratings.count
            ratings.append(initialRating)
            return ratings.count - 1
        }
        for position in Self.timeOrder(battles) {
            let battle = battles[position]
            let a = slot(battle.modelA)
            let b = slot(battle.modelB)
            let expectedA = expectedScore(of: ratings[a], against: ratings[b])
            // FastChat computes B's expectation separately; it is 1 - expectedA up to rounding.
            let expectedB = expectedScore(of: ratings[b], against: ratings[a])
            let scoreA = battle.winner.scoreForA
            ratings[a] += k * (scoreA - expectedA)
            ratings[b] += k * (1 - scoreA - expectedB)
        }
        return index.mapValues { ratings[$0] }
    }

    /// Battle positions sorted stably by timestamp; logs are usually in order already, so that
    /// case skips the sort.
    static func timeOrder(_ battles: [Battle]) -> [Int] {
        let positions = Array(battles.indices)
        let ordered = zip(battles, battles.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp }
        if ordered { return positions }
        return positions.sorted { (battles[$0].timestamp, $0) < (battles[$1].timestamp, $1) }
    }
}
