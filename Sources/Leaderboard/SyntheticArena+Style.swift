import Foundation
import SwitchyardCore

extension SyntheticArena {
    /// Battles where voters also reward length, as arena voters do: A's log-odds of winning are
    /// its rating advantage plus `lengthEffect × (tokens_A − tokens_B) / (tokens_A + tokens_B + 1)`.
    ///
    /// A model with long answers then wins more than its rating says, and plain Bradley–Terry
    /// rates it above its true rating; style control should take that back out. Each answer's
    /// length is its model's `answerTokens` times a uniform factor in [0.5, 1.5); markdown counts
    /// grow with length at random (up to one header per 100 tokens, a list item per 40, a bold
    /// span per 80) but do not sway the vote themselves.
    public func styledBattles(count: Int, seed: UInt64, answerTokens: [Double], lengthEffect: Double) -> [Battle] {
        precondition(answerTokens.count == models.count, "one answer length per model")
        var random = SeededRandomNumberGenerator(seed: seed)
        func answer(_ model: Int) -> AnswerStyle {
            let tokens = Int(answerTokens[model] * Double.random(in: 0.5..<1.5, using: &random))
            return AnswerStyle(
                tokens: tokens,
                headers: [Int.random(in: 0...(tokens / 100), using: &random)],
                orderedListItems: Int.random(in: 0...(tokens / 80), using: &random),
                unorderedListItems: Int.random(in: 0...(tokens / 80), using: &random),
                boldAsterisks: Int.random(in: 0...(tokens / 80), using: &random)
            )
        }
        return (0..<count).map { position in
            let a = Int.random(in: models.indices, using: &random)
            var b = Int.random(in: 0..<models.count - 1, using: &random)
            if b >= a { b += 1 }
            let style = Battle.Style(a: answer(a), b: answer(b))
            let (ta, tb) = (Double(style.a.tokens), Double(style.b.tokens))
            let logit = (ratings[a] - ratings[b]) * log(10) / 400 + lengthEffect * (ta - tb) / (ta + tb + 1)
            let winner = outcome(p: 1 / (1 + exp(-logit)), draw: Double.random(in: 0..<1, using: &random))
            return Battle(modelA: models[a], modelB: models[b], winner: winner, timestamp: 1_700_000_000 + Double(position), style: style)
        }
    }
}
