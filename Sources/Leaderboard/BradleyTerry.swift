import Foundation

/// The Bradley–Terry maximum-likelihood fit FastChat's arena ranks by (`compute_bt` in
/// `rating_systems.py`, formerly `compute_mle_elo`).
///
/// Model A beats model B with probability `1 / (1 + base^((R_B − R_A) / scale))`; a tie counts
/// as half a win and half a loss. There is no prior, so the ratings are those that make every
/// model's expected score equal its observed score.
///
/// Identification: the likelihood only sees rating differences. Like FastChat's L-BFGS run from
/// zeros, the fit keeps the mean of the unscaled strengths at zero, so without an anchor the
/// ratings average `initialRating`. Groups of models that never met, directly or through
/// others, each keep their own mean there, so ratings across such groups are not comparable.
///
/// Divergence: a model that never wins (or never loses) has no finite maximum; the likelihood
/// keeps improving as it sinks. Each Newton step moves it about `scale / ln(base)` points until
/// its expected score is within `tolerance` of the observed one, which leaves it finite but a few
/// thousand points below the models it met; `maxIterations` bounds the work either way. Read
/// such a rating as "below everyone it played": FastChat's L-BFGS fit has the same weakness and
/// stops wherever its own tolerance or iteration cap falls.
public struct BradleyTerry: Sendable, Equatable {
    public var base: Double
    public var scale: Double
    /// The mean rating when no anchor is set.
    public var initialRating: Double
    /// Converged when every model's expected score is within this many battles of its observed
    /// score. Tighter than FastChat's `gtol = 1e-6` on the same residual (times ln 10), which
    /// Newton's quadratic convergence makes nearly free.
    public var tolerance: Double
    public var maxIterations: Int

    public init(
        base: Double = 10,
        scale: Double = 400,
        initialRating: Double = 1000,
        tolerance: Double = 1e-9,
        maxIterations: Int = 100
    ) {
        self.base = base
        self.scale = scale
        self.initialRating = initialRating
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    /// Ratings in ``BattleTable/models`` order, with whether the tolerance was met.
    public struct Fit: Sendable, Equatable {
        public var ratings: [Double]
        public var iterations: Int
        public var converged: Bool
    }

    /// Fits the table's own counts.
    public func fit(_ table: BattleTable) -> Fit {
        fit(table, weights: table.rows.map { Double($0.count) })
    }

    /// Fits the table's rows with other weights; the bootstrap passes resampled counts.
    func fit(_ table: BattleTable, weights: [Double]) -> Fit {
        let problem = Problem(table: table, weights: weights)
        let (strengths, iterations, converged) = problem.solve(tolerance: tolerance, maxIterations: maxIterations)
        let pointsPerNat = scale / log(base)
        return Fit(ratings: strengths.map { $0 * pointsPerNat + initialRating }, iterations: iterations, converged: converged)
    }
}

/// Damped Newton's method on the strengths `θ` in natural-log units and, for style control, the
/// coefficients `β` of each row's covariates `x` (logit = θ_A − θ_B + β·x); plain Bradley–Terry
/// is the case without covariates.
///
/// Newton converges quadratically, in a handful of steps, and the Hessian is only (models +
/// covariates)², so each step is cheap; its fixed point is the maximum FastChat's L-BFGS-B
/// approaches.
struct Problem {
    let modelA: [Int]
    let modelB: [Int]
    let score: [Double]
    let weight: [Double]
    /// Row-major, `k` per row.
    let features: [Double]
    let n: Int
    let k: Int
    /// Per model, a representative of the models it is linked to by battles, directly or
    /// through others; each such group has its own undetermined shift.
    let group: [Int]
    let groupSize: [Int: Int]

    init(table: BattleTable, weights: [Double]) {
        self.init(
            models: table.models.count,
            modelA: table.rows.map(\.modelA),
            modelB: table.rows.map(\.modelB),
            score: table.rows.map(\.scoreForA),
            weights: weights
        )
    }

    /// `features` holds `featureCount` values per row, row after row.
    init(models: Int, modelA: [Int], modelB: [Int], score: [Double], weights: [Double], features: [Double] = [], featureCount: Int = 0) {
        // Rows a resample left empty cost time and add nothing.
        let kept = weights.indices.filter { weights[$0] > 0 }
        self.modelA = kept.map { modelA[$0] }
        self.modelB = kept.map { modelB[$0] }
        self.score = kept.map { score[$0] }
        weight = kept.map { weights[$0] }
        k = featureCount
        self.features = kept.flatMap { features[($0 * featureCount)..<(($0 + 1) * featureCount)] }
        n = models
        var parent = Array(0..<n)
        func root(_ model: Int) -> Int {
            var model = model
            while parent[model] != model {
                parent[model] = parent[parent[model]]
                model = parent[model]
            }
            return model
        }
        for (a, b) in zip(self.modelA, self.modelB) {
            let (rootA, rootB) = (root(a), root(b))
            if rootA != rootB { parent[rootA] = rootB }
        }
        group = (0..<n).map(root)
        groupSize = group.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    private func logit(_ params: [Double], row: Int) -> Double {
        var z = params[modelA[row]] - params[modelB[row]]
        for j in 0..<k { z += params[n + j] * features[row * k + j] }
        return z
    }

    /// Negative log-likelihood, computed without overflow for large logits.
    func loss(_ params: [Double]) -> Double {
        var total = 0.0
        for row in weight.indices {
            let z = logit(params, row: row)
            total += weight[row] * (score[row] * softplus(-z) + (1 - score[row]) * softplus(z))
        }
        return total
    }

    /// The strengths followed by the `k` coefficients, iterations, and whether it converged.
    func solve(tolerance: Double, maxIterations: Int) -> ([Double], Int, Bool) {
        let m = n + k
        var params = [Double](repeating: 0, count: m)
        guard n > 1 else { return (params, 0, true) }
        var gradient = [Double](repeating: 0, count: m)
        var hessian = [Double](repeating: 0, count: m * m)
        var iterations = 0
        while true {
            gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            hessian.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for row in weight.indices {
                let a = modelA[row], b = modelB[row]
                let p = sigmoid(logit(params, row: row))
                let g = weight[row] * (p - score[row])
                let h = weight[row] * p * (1 - p)
                gradient[a] += g
                gradient[b] -= g
                hessian[a * m + a] += h
                hessian[b * m + b] += h
                hessian[a * m + b] -= h
                hessian[b * m + a] -= h
                for j in 0..<k {
                    let x = features[row * k + j]
                    let c = n + j
                    gradient[c] += g * x
                    hessian[a * m + c] += h * x
                    hessian[c * m + a] += h * x
                    hessian[b * m + c] -= h * x
                    hessian[c * m + b] -= h * x
                    for l in 0..<k { hessian[c * m + n + l] += h * x * features[row * k + l] }
                }
            }
            if gradient.allSatisfy({ abs($0) <= tolerance }) { return (params, iterations, true) }
            guard iterations < maxIterations, let step = newtonStep(gradient: gradient, hessian: hessian) else {
                return (params, iterations, false)
            }
            // Nothing left to gain at double precision, e.g. when huge counts keep the residual
            // above an absolute tolerance through rounding alone.
            if step.allSatisfy({ abs($0) < 1e-12 }) { return (params, iterations, true) }
            let slope = zip(gradient, step).reduce(0) { $0 + $1.0 * $1.1 }
            params = lineSearch(from: params, along: step, slope: slope)
            iterations += 1
        }
    }

    /// Solves `(H + c·Σ 1_G 1_Gᵀ / |G|) δ = −g` over the groups `G` of models. `H` is singular
    /// along each group's shift; the gradient sums to zero within every group, so the added terms
    /// leave the step unchanged while making the system positive definite. Covariates need no
    /// such term: they are identified unless one is constant.
    private func newtonStep(gradient: [Double], hessian: [Double]) -> [Double]? {
        let m = n + k
        var matrix = hessian
        let coupling = max((0..<n).reduce(0) { $0 + hessian[$1 * m + $1] } / Double(n), 1)
        for i in 0..<n {
            let share = coupling / Double(groupSize[group[i]]!)
            for j in 0..<n where group[j] == group[i] { matrix[i * m + j] += share }
        }
        return choleskySolve(matrix, n: m, rhs: gradient.map { -$0 })
    }

    /// Far from the optimum, halves the step until the loss drops enough (Armijo). Once the
    /// predicted gain `−slope` is below 0.01 nats Newton is in its quadratic phase and the full
    /// step is taken: comparing losses there would only compare rounding errors.
    private func lineSearch(from params: [Double], along step: [Double], slope: Double) -> [Double] {
        func moved(_ t: Double) -> [Double] {
            centred(zip(params, step).map { $0 + t * $1 })
        }
        guard -slope > 0.01 else { return moved(1) }
        let current = loss(params)
        var t = 1.0
        while t > 1e-6 {
            let candidate = moved(t)
            if loss(candidate) <= current + 1e-4 * t * slope { return candidate }
            t /= 2
        }
        return moved(t)
    }

    /// Removes the rounding drift of each group's mean strength, which the steps keep at zero in
    /// theory; the coefficients are left as they are.
    private func centred(_ params: [Double]) -> [Double] {
        var sums: [Int: Double] = [:]
        for model in 0..<n { sums[group[model], default: 0] += params[model] }
        var result = params
        for model in 0..<n { result[model] -= sums[group[model]]! / Double(groupSize[group[model]]!) }
        return result
    }
}

private func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}

/// `log(1 + eˣ)`.
private func softplus(_ x: Double) -> Double {
    max(x, 0) + log1p(exp(-abs(x)))
}

/// Cholesky factorisation and two triangular solves on a row-major symmetric matrix; `nil` if
/// it is not numerically positive definite.
private func choleskySolve(_ matrix: [Double], n: Int, rhs: [Double]) -> [Double]? {
    var l = matrix
    for j in 0..<n {
        var diagonal = l[j * n + j]
        for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
        guard diagonal > 0 else { return nil }
        let pivot = diagonal.squareRoot()
        l[j * n + j] = pivot
        for i in (j + 1)..<n {
            var value = l[i * n + j]
            for k in 0..<j { value -= l[i * n + k] * l[j * n + k] }
            l[i * n + j] = value / pivot
        }
    }
    var y = rhs
    for i in 0..<n {
        for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
        y[i] /= l[i * n + i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
        for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
        y[i] /= l[i * n + i]
    }
    return y
}
