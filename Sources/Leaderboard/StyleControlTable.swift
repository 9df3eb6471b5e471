import Foundation

/// Battles laid out for the style-controlled Bradley–Terry fit, as LMSYS's
/// `preprocess_for_style` lays them out: one row per battle (the covariates differ from battle to
/// battle, so rows cannot be collapsed as ``BattleTable`` collapses plain votes).
///
/// Per battle and ``StyleFeature`` the covariate is the normalised difference
/// `(a − b) / (a + b + 1)` of the two answers' values (LMSYS's code adds the 1 so that two answers
/// without headers compare as 0 rather than 0/0), then standardised to mean 0 and (population)
/// standard deviation 1 over the battles, so each coefficient is the effect of one standard
/// deviation of style. A feature that is the same in every battle says nothing and cannot be
/// estimated; it is left out of ``features``.
public struct StyleControlTable: Sendable, Equatable {
    /// Sorted by name, as in ``BattleTable``.
    public let models: [String]
    let modelA: [Int]
    let modelB: [Int]
    let score: [Double]
    /// `features.count` standardised values per battle, battle after battle.
    let covariates: [Double]
    /// The features fitted, in ``StyleFeature`` order.
    public let features: [StyleFeature]
    /// Battles with style, the rows of the fit.
    public let battleCount: Int
    /// Battles given without style, left out of the table.
    public let battlesWithoutStyle: Int

    public init(_ battles: [Battle]) {
        let styled = battles.filter { $0.style != nil }
        battlesWithoutStyle = battles.count - styled.count
        battleCount = styled.count
        models = Array(Set(styled.flatMap { [$0.modelA, $0.modelB] })).sorted()
        let index = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1, $0) })
        modelA = styled.map { index[$0.modelA]! }
        modelB = styled.map { index[$0.modelB]! }
        score = styled.map(\.winner.scoreForA)
        let all = StyleFeature.allCases
        // Column by column: the normalised differences, then their mean and spread.
        var columns = all.indices.map { feature in
            styled.map { battle -> Double in
                let a = battle.style!.a.featureValues[feature]
                let b = battle.style!.b.featureValues[feature]
                return (a - b) / (a + b + 1)
            }
        }
        var kept: [StyleFeature] = []
        for feature in all.indices {
            let count = Double(columns[feature].count)
            guard count > 0 else { continue }
            let mean = columns[feature].reduce(0, +) / count
            let deviation = (columns[feature].reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count).squareRoot()
            // Relative to the values' own size: rounding alone never makes a feature vary.
            guard deviation > 1e-12 else { continue }
            columns[feature] = columns[feature].map { ($0 - mean) / deviation }
            kept.append(all[feature])
        }
        features = kept
        let keptColumns = kept.map { columns[all.firstIndex(of: $0)!] }
        covariates = styled.indices.flatMap { row in keptColumns.map { $0[row] } }
    }
}
