/// One verdict to ask a judge for: a turn of one model's answer (single) or of two models'
/// answers (pair, asked in both orders).
public struct JudgeMatch: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case single(model: String, prompt: JudgePrompt)
        /// `g1` shows model 1 first, `g2` swaps the answers.
        case pair(model1: String, model2: String, g1: JudgePrompt, g2: JudgePrompt)
    }

    public var questionID: Int
    public var turn: Int
    public var kind: Kind

    /// The matches of `mode` over `questions`, turn 1 and turn 2 of every question with two turns,
    /// as FastChat's gen_judgment.py makes them. A model without an answer to a question is left
    /// out of that question's matches, and the pair is listed in `missing`.
    public static func plan(
        mode: JudgeMode, questions: [Question], models: [String], baseline: String?,
        answers: [String: [Int: ModelAnswer]]
    ) -> (matches: [JudgeMatch], missing: [String]) {
        var matches: [JudgeMatch] = []
        var missing: [String] = []
        let pairs: [(String, String)] =
            switch mode {
            case .single: []
            case .pairwiseBaseline: models.filter { $0 != baseline }.map { ($0, baseline ?? "") }
            case .pairwiseAll: models.indices.flatMap { i in models[(i + 1)...].map { (models[i], $0) } }
            }
        for question in questions {
            func answer(_ model: String) -> [String]? {
                guard let turns = answers[model]?[question.questionID]?.turns else {
                    missing.append("question \(question.questionID), model \(model)")
                    return nil
                }
                return turns
            }
            let turns = question.turns.count == 2 ? [1, 2] : [1]
            if mode == .single {
                for model in models {
                    guard let turnsOfModel = answer(model) else { continue }
                    for turn in turns {
                        if let prompt = JudgePrompt.single(question: question, answer: turnsOfModel, turn: turn) {
                            matches.append(JudgeMatch(questionID: question.questionID, turn: turn, kind: .single(model: model, prompt: prompt)))
                        }
                    }
                }
            } else {
                for (model1, model2) in pairs {
                    guard let answer1 = answer(model1), let answer2 = answer(model2) else { continue }
                    for turn in turns {
                        if let g1 = JudgePrompt.pair(question: question, answerA: answer1, answerB: answer2, turn: turn),
                           let g2 = JudgePrompt.pair(question: question, answerA: answer2, answerB: answer1, turn: turn) {
                            matches.append(JudgeMatch(questionID: question.questionID, turn: turn, kind: .pair(model1: model1, model2: model2, g1: g1, g2: g2)))
                        }
                    }
                }
            }
        }
        return (matches, Array(Set(missing)).sorted())
    }

    /// Identifies a judgment already made, whichever order a pair was written in.
    public struct Key: Hashable, Sendable {
        var questionID: Int
        var turn: Int
        var models: [String]

        public init(questionID: Int, turn: Int, models: [String]) {
            self.questionID = questionID
            self.turn = turn
            self.models = models.sorted()
        }
    }

    public var key: Key {
        switch kind {
        case .single(let model, _): Key(questionID: questionID, turn: turn, models: [model])
        case .pair(let model1, let model2, _, _): Key(questionID: questionID, turn: turn, models: [model1, model2])
        }
    }
}

extension SingleJudgment {
    public var key: JudgeMatch.Key { JudgeMatch.Key(questionID: questionID, turn: turn, models: [model]) }
}

extension PairJudgment {
    public var key: JudgeMatch.Key { JudgeMatch.Key(questionID: questionID, turn: turn, models: [model1, model2]) }
}
