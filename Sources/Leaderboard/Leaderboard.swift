/// The arena leaderboard as `GET /arena/leaderboard` serves it: FastChat's columns, best first.
///
/// JSON (snake_case, row keys named after FastChat's leaderboard table columns):
/// `{"battles", "bootstrap_rounds", "seed", "anchor"?: {"model", "rating"},
///   "rows": [{"rank", "model", "rating", "rating_q025", "rating_q975", "num_battles",
///   "elo_rating_online"}], "win_fractions": [[Double?]], "style_control"?: {...},
///   "votes"?: String, "agreement"?: [...]}`, the matrix indexed in row order; `style_control`
/// only when it was asked for (``StyleControlSummary``), `votes` and `agreement` when the
/// caller sets them.
public struct Leaderboard: Sendable, Equatable, Codable {
    public struct Row: Sendable, Equatable, Codable {
        /// FastChat's "Rank (UB)": 1 + the models that are better beyond doubt, so models whose
        /// intervals overlap share a rank.
        public var rank: Int
        public var model: String
        /// The Bradley–Terry rating on all battles.
        public var rating: Double
        /// The bootstrap's 2.5 % quantile.
        public var lower: Double
        /// The bootstrap's 97.5 % quantile.
        public var upper: Double
        public var battles: Int
        public var onlineElo: Double

        enum CodingKeys: String, CodingKey {
            case rank, model, rating
            case lower = "rating_q025"
            case upper = "rating_q975"
            case battles = "num_battles"
            case onlineElo = "elo_rating_online"
        }
    }

    public var battles: Int
    public var bootstrapRounds: Int
    public var seed: UInt64
    /// The anchor the ratings were shifted to; `nil` when none was set or its model has no
    /// battles, which FastChat also ignores silently.
    public var anchor: RatingAnchor?
    /// Rating descending; equal ratings by model name.
    public var rows: [Row]
    /// `[i][j]`: the share of decisive battles between `rows[i]` and `rows[j]` that `rows[i]`
    /// won; `nil` when they had none. See ``BattleTable/winFractions()``.
    public var winFractions: [[Double?]]
    /// Present when style control was asked for: whether it was applied and what style was worth.
    public var styleControl: StyleControlSummary?
    /// Which votes were ranked (`human`, `judge`, `all`), as the caller chose them.
    public var votes: String?
    /// How often each LLM judge agreed with humans on the pairs both judged, as the caller found it.
    public var agreement: [JudgeAgreement]?

    enum CodingKeys: String, CodingKey {
        case battles, seed, anchor, rows, votes, agreement
        case bootstrapRounds = "bootstrap_rounds"
        case winFractions = "win_fractions"
        case styleControl = "style_control"
    }

    /// Fits, bootstraps and ranks; the bootstrap rounds run in parallel.
    ///
    /// With ``LeaderboardConfiguration/styleControl`` the board is computed from the battles that
    /// carry both answers' style, all of its columns alike (counts, online Elo, win fractions), and
    /// ``styleControl`` says how many were left out; when none carry it (logs from before style was
    /// recorded), or they involve fewer than two models, it is the plain board with
    /// ``StyleControlSummary/applied`` false. Fitting on the styled subset rather than refusing
    /// lets an arena that started recording style show it while its older votes still count on the
    /// plain board.
    public init(battles: [Battle], configuration: LeaderboardConfiguration = .init()) async {
        var battles = battles
        var summary: StyleControlSummary?
        var styled: StyleControlTable?
        if configuration.styleControl {
            let candidate = StyleControlTable(battles)
            if candidate.models.count >= 2 {
                styled = candidate
                battles = battles.filter { $0.style != nil }
            }
            summary = StyleControlSummary(applied: styled != nil, battlesWithoutStyle: candidate.battlesWithoutStyle, coefficients: [])
        }
        let table = BattleTable(battles)
        async let eloRatings = configuration.elo.ratings(for: battles)
        let bootstrap = RatingBootstrap(rounds: configuration.bootstrapRounds, seed: configuration.seed)
        let fitted: [Double]
        let samples: [[Double]]
        if let styled {
            // Same models in the same (sorted) order as `table`: both come from the same battles.
            let fit = configuration.bradleyTerry.fit(styled)
            fitted = fit.ratings
            samples = await bootstrap.samples(for: styled, fitter: configuration.bradleyTerry, anchor: configuration.anchor)
            let n = styled.models.count
            summary?.coefficients = styled.features.enumerated().map { index, feature in
                let values = samples.map { $0[n + index] }
                return StyleControlSummary.Coefficient(
                    feature: feature,
                    value: fit.coefficients[index],
                    lower: values.isEmpty ? fit.coefficients[index] : RatingBootstrap.quantile(values, 0.025),
                    upper: values.isEmpty ? fit.coefficients[index] : RatingBootstrap.quantile(values, 0.975)
                )
            }
        } else {
            fitted = configuration.bradleyTerry.fit(table).ratings
            samples = await bootstrap.samples(for: table, fitter: configuration.bradleyTerry, anchor: configuration.anchor)
        }
        let ratings = configuration.anchor?.apply(to: fitted, models: table.models) ?? fitted
        let intervals = table.models.indices.map { model -> (lower: Double, upper: Double) in
            let values = samples.map { $0[model] }
            guard !values.isEmpty else { return (ratings[model], ratings[model]) }
            return (RatingBootstrap.quantile(values, 0.025), RatingBootstrap.quantile(values, 0.975))
        }
        let lower = intervals.map(\.lower)
        let upper = intervals.map(\.upper)
        let ranks = Self.ranks(lower: lower, upper: upper)
        let counts = table.battlesPerModel
        let elo = await eloRatings
        let order = table.models.indices.sorted { (-ratings[$0], table.models[$0]) < (-ratings[$1], table.models[$1]) }
        let fractions = table.winFractions()

        self.battles = table.battleCount
        bootstrapRounds = configuration.bootstrapRounds
        seed = configuration.seed
        anchor = configuration.anchor.flatMap { table.models.contains($0.model) ? $0 : nil }
        rows = order.map { model in
            Row(
                rank: ranks[model],
                model: table.models[model],
                rating: ratings[model],
                lower: lower[model],
                upper: upper[model],
                battles: counts[model],
                // Both come from the same battles, so every model has an Elo.
                onlineElo: elo[table.models[model]]!
            )
        }
        winFractions = order.map { i in order.map { j in fractions[i][j] } }
        styleControl = summary
    }

    /// FastChat's rule: rank = 1 + the number of models whose lower bound is above this model's
    /// upper bound.
    public static func ranks(lower: [Double], upper: [Double]) -> [Int] {
        upper.map { top in 1 + lower.filter { $0 > top }.count }
    }
}
