/// What `switchyard eval report` shows, computed as FastChat's show_result.py does: mean scores
/// of single grading (turn 1, turn 2, overall) and win/loss/tie counts of pairwise judging, plus
/// per-category figures and the count of verdicts that could not be read.
public struct EvalReport: Codable, Sendable, Equatable {
    /// A model's mean 1–10 scores; nil where it has no readable score.
    public struct Scores: Codable, Sendable, Equatable {
        public var model: String
        public var turn1: Double?
        public var turn2: Double?
        public var overall: Double?
        public var categories: [String: Double]
        public var judged: Int
        public var unparseable: Int
    }

    /// A model's pairwise record; each pair counts once, a verdict that flips with the order as a tie.
    public struct Record: Codable, Sendable, Equatable {
        public var model: String
        public var win = 0
        public var loss = 0
        public var tie = 0
        /// Adjusted win rate (a tie is half a win) per category.
        public var categories: [String: Double] = [:]

        public var games: Int { win + loss + tie }
        public var winRate: Double { games == 0 ? 0 : Double(win) / Double(games) }
        public var lossRate: Double { games == 0 ? 0 : Double(loss) / Double(games) }
        /// show_result.py's `win_rate_adjusted`: a tie counts as half a win.
        public var winRateAdjusted: Double { games == 0 ? 0 : (Double(win) + 0.5 * Double(tie)) / Double(games) }

        enum CodingKeys: String, CodingKey {
            case model, win, loss, tie, categories
            case winRate = "win_rate"
            case lossRate = "loss_rate"
            case winRateAdjusted = "win_rate_adjusted"
        }

        public init(model: String) { self.model = model }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            model = try container.decode(String.self, forKey: .model)
            win = try container.decode(Int.self, forKey: .win)
            loss = try container.decode(Int.self, forKey: .loss)
            tie = try container.decode(Int.self, forKey: .tie)
            categories = try container.decode([String: Double].self, forKey: .categories)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(model, forKey: .model)
            try container.encode(win, forKey: .win)
            try container.encode(loss, forKey: .loss)
            try container.encode(tie, forKey: .tie)
            try container.encode(categories, forKey: .categories)
            try container.encode(winRate, forKey: .winRate)
            try container.encode(lossRate, forKey: .lossRate)
            try container.encode(winRateAdjusted, forKey: .winRateAdjusted)
        }
    }

    public var mode: JudgeMode
    public var judge: String
    public var baseline: String?
    /// The categories present, in the order of the question file.
    public var categories: [String]
    /// Single mode, best overall first.
    public var scores: [Scores]?
    /// Pairwise modes, best adjusted win rate first; the baseline itself is not listed.
    public var records: [Record]?
    /// Judgments read (lines, after the model and baseline filters).
    public var judgments: Int
    /// Verdicts the judge's replies did not hold, left out of every figure.
    public var unparseable: Int
    /// Pairs whose two games disagreed (counted as ties).
    public var inconsistent: Int?

    /// The category of each question id; a judgment of a question not in the file falls under "unknown".
    static func categories(of questions: [Question]) -> (byID: [Int: String], ordered: [String]) {
        var ordered: [String] = []
        for question in questions where !ordered.contains(question.category) { ordered.append(question.category) }
        return (Dictionary(questions.map { ($0.questionID, $0.category) }, uniquingKeysWith: { first, _ in first }), ordered)
    }

    /// Single-answer grading: means over the readable scores (-1 is left out, as show_result.py does).
    public static func single(_ judgments: [SingleJudgment], questions: [Question], judge: String, models: [String]? = nil) -> EvalReport {
        let lines = judgments.filter { $0.judge.model == judge && (models?.contains($0.model) ?? true) }
        let (categoryOf, order) = categories(of: questions)
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        let byModel = Dictionary(grouping: lines, by: \.model)
        var usedCategories = Set<String>()
        let scores = byModel.map { model, lines in
            let valid = lines.filter { !$0.isUnparseable }
            let byCategory = Dictionary(grouping: valid) { categoryOf[$0.questionID] ?? "unknown" }
            usedCategories.formUnion(byCategory.keys)
            return Scores(
                model: model,
                turn1: mean(valid.filter { $0.turn == 1 }.map(\.score)),
                turn2: mean(valid.filter { $0.turn == 2 }.map(\.score)),
                overall: mean(valid.map(\.score)),
                categories: byCategory.compactMapValues { mean($0.map(\.score)) },
                judged: valid.count,
                unparseable: lines.count - valid.count
            )
        }
        .sorted { ($0.overall ?? -1, $1.model) > ($1.overall ?? -1, $0.model) }
        return EvalReport(
            mode: .single, judge: judge, baseline: nil, categories: ordered(usedCategories, order), scores: scores, records: nil,
            judgments: lines.count, unparseable: scores.reduce(0) { $0 + $1.unparseable }, inconsistent: nil
        )
    }

    /// Pairwise judging as show_result.py counts it: a pair with an unreadable game is left out; a
    /// tie or a verdict that flips with the order is a tie for both; with a baseline, only pairs
    /// with it count and it is not listed.
    public static func pairwise(_ judgments: [PairJudgment], questions: [Question], judge: String, baseline: String?, models: [String]? = nil) -> EvalReport {
        let lines = judgments.filter { line in
            guard line.judge.model == judge else { return false }
            if let baseline, line.model1 != baseline && line.model2 != baseline { return false }
            if let models { return [line.model1, line.model2].allSatisfy { models.contains($0) || $0 == baseline } }
            return true
        }
        let (categoryOf, order) = categories(of: questions)
        var records: [String: Record] = [:]
        var perCategory: [String: [String: (points: Double, games: Int)]] = [:]
        var inconsistent = 0
        for line in lines {
            guard let outcome = line.outcome else { continue }
            if line.g1Winner != line.g2Winner { inconsistent += 1 }
            let category = categoryOf[line.questionID] ?? "unknown"
            for (model, me, other) in [(line.model1, PairJudgment.Winner.model1, PairJudgment.Winner.model2), (line.model2, .model2, .model1)] {
                var record = records[model] ?? Record(model: model)
                let points: Double
                switch outcome {
                case me: record.win += 1; points = 1
                case other: record.loss += 1; points = 0
                default: record.tie += 1; points = 0.5
                }
                records[model] = record
                let sum = perCategory[model, default: [:]][category, default: (0, 0)]
                perCategory[model, default: [:]][category] = (sum.points + points, sum.games + 1)
            }
        }
        var usedCategories = Set<String>()
        let listed = records.values.filter { $0.model != baseline }.map { record in
            var record = record
            let categories = perCategory[record.model] ?? [:]
            usedCategories.formUnion(categories.keys)
            record.categories = categories.mapValues { $0.points / Double($0.games) }
            return record
        }
        .sorted { ($0.winRateAdjusted, $1.model) > ($1.winRateAdjusted, $0.model) }
        return EvalReport(
            mode: baseline == nil ? .pairwiseAll : .pairwiseBaseline, judge: judge, baseline: baseline,
            categories: ordered(usedCategories, order), scores: nil, records: listed,
            judgments: lines.count, unparseable: lines.reduce(0) { $0 + $1.unparseableCount }, inconsistent: inconsistent
        )
    }

    private static func ordered(_ used: Set<String>, _ order: [String]) -> [String] {
        order.filter(used.contains) + used.subtracting(order).sorted()
    }
}
