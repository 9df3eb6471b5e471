import Foundation

extension BradleyTerry {
    /// Ratings with style held equal, and what style itself was worth.
    public struct StyleControlledFit: Sendable, Equatable {
        /// In ``StyleControlTable/models`` order, on the same scale and mean as the plain fit.
        public var ratings: [Double]
        /// Log-odds of A winning per standard deviation of each feature's normalised difference,
        /// in ``StyleControlTable/features`` order (LMSYS's `params`): positive when voters favour
        /// the side with more of it.
        public var coefficients: [Double]
        public var iterations: Int
        public var converged: Bool
    }

    /// Bradley–Terry with the style covariates fitted jointly: LMSYS's style control, as a
    /// logistic regression of the outcome (ties as half a win, as in the plain fit) on the model
    /// columns (+1 for A, −1 for B) and the style columns. Unlike LMSYS's code, which adds a small
    /// L2 penalty (0.5) to mimic scikit-learn's default, the fit is the plain maximum likelihood,
    /// as the plain Bradley–Terry fit is; on arena-sized data the two differ by hundredths of a
    /// point.
    public func fit(_ table: StyleControlTable) -> StyleControlledFit {
        fit(table, weights: [Double](repeating: 1, count: table.battleCount))
    }

    /// Fits with per-battle weights; the bootstrap passes resampled counts.
    func fit(_ table: StyleControlTable, weights: [Double]) -> StyleControlledFit {
        let problem = Problem(
            models: table.models.count,
            modelA: table.modelA,
            modelB: table.modelB,
            score: table.score,
            weights: weights,
            features: table.covariates,
            featureCount: table.features.count
        )
        let (params, iterations, converged) = problem.solve(tolerance: tolerance, maxIterations: maxIterations)
        let n = table.models.count
        let pointsPerNat = scale / log(base)
        return StyleControlledFit(
            ratings: params[..<n].map { $0 * pointsPerNat + initialRating },
            coefficients: Array(params[n...]),
            iterations: iterations,
            converged: converged
        )
    }
}
