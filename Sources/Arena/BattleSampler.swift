/// Draws the two models of a battle: a pure function of the served models, the weights and a
/// random source.
///
/// Unlike FastChat's sampler (whose unlisted models weigh 0, so an empty configuration divides
/// 0 by 0 and fails with "probabilities contain NaN"), unlisted models weigh 1 and a draw among
/// fewer than two eligible models returns nil, which the arena turns into a clear 503.
public struct BattleSampler: Sendable {
    public var weights: [String: Double]
    public var targets: [String: [String]]

    public init(weights: [String: Double] = [:], targets: [String: [String]] = [:]) {
        self.weights = weights
        self.targets = targets
    }

    public func weight(of model: String) -> Double {
        let weight = weights[model] ?? 1
        return weight.isFinite ? max(0, weight) : 0
    }

    /// Two different models, in random left/right order, or nil when fewer than two can fight.
    public func draw(from models: [String], using random: inout some RandomNumberGenerator) -> (a: String, b: String)? {
        let eligible = Array(Set(models)).sorted().filter { weight(of: $0) > 0 }
        guard eligible.count >= 2, let first = pick(from: eligible, weight: weight(of:), using: &random) else { return nil }
        let rivals = eligible.filter { $0 != first }
        let preferred = Set(targets[first] ?? []).intersection(rivals)
        let second: String?
        if !preferred.isEmpty && Bool.random(using: &random) {
            second = pick(from: preferred.sorted(), weight: weight(of:), using: &random)
        } else {
            second = pick(from: rivals, weight: weight(of:), using: &random)
        }
        guard let second else { return nil }
        return Bool.random(using: &random) ? (first, second) : (second, first)
    }

    private func pick(from models: [String], weight: (String) -> Double, using random: inout some RandomNumberGenerator) -> String? {
        let total = models.reduce(0) { $0 + weight($1) }
        guard total > 0, total.isFinite else { return nil }
        var ticket = Double.random(in: 0..<total, using: &random)
        for model in models {
            ticket -= weight(model)
            if ticket < 0 { return model }
        }
        return models.last
    }
}
