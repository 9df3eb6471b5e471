import Eval
import Testing

@Suite struct ResumeTests {
    let questions = [
        Question(questionID: 1, category: "writing", turns: ["a", "b"]),
        Question(questionID: 2, category: "math", turns: ["c", "d"], reference: ["1", "2"]),
        Question(questionID: 3, category: "stem", turns: ["e"]),
    ]

    @Test func answeredQuestionsAreSkipped() {
        let answers = [ModelAnswer(questionID: 2, modelID: "m", turns: ["x", "y"])]
        #expect(AnswerRun.pending(questions, answers: answers).map(\.questionID) == [1, 3])
        #expect(AnswerRun.pending(questions, answers: []).map(\.questionID) == [1, 2, 3])
        // An answer short of turns is redone.
        #expect(AnswerRun.pending(questions, answers: [ModelAnswer(questionID: 1, modelID: "m", turns: ["x"])]).map(\.questionID) == [1, 2, 3])
    }

    func answers(_ models: [String], skipping: (String, Int)? = nil) -> [String: [Int: ModelAnswer]] {
        var table: [String: [Int: ModelAnswer]] = [:]
        for model in models {
            for question in questions where !(skipping?.0 == model && skipping?.1 == question.questionID) {
                table[model, default: [:]][question.questionID] = ModelAnswer(questionID: question.questionID, modelID: model, turns: question.turns.map { "\(model) on \($0)" })
            }
        }
        return table
    }

    @Test func singlePlanJudgesBothTurnsOfTwoTurnQuestions() {
        let plan = JudgeMatch.plan(mode: .single, questions: questions, models: ["m", "n"], baseline: nil, answers: answers(["m", "n"]))
        #expect(plan.matches.count == 2 * (2 + 2 + 1))
        #expect(plan.missing.isEmpty)
        #expect(plan.matches.filter { $0.questionID == 3 }.map(\.turn) == [1, 1])
    }

    @Test func pairwisePlans() {
        let all = JudgeMatch.plan(mode: .pairwiseAll, questions: questions, models: ["a", "b", "c"], baseline: nil, answers: answers(["a", "b", "c"]))
        #expect(all.matches.count == 3 * 5)
        let pairs = Set(all.matches.compactMap { match -> String? in
            if case .pair(let one, let two, _, _) = match.kind { return one + two }
            return nil
        })
        #expect(pairs == ["ab", "ac", "bc"])
        let baseline = JudgeMatch.plan(mode: .pairwiseBaseline, questions: questions, models: ["a", "b", "c"], baseline: "b", answers: answers(["a", "b", "c"]))
        let againstBaseline = Set(baseline.matches.compactMap { match -> String? in
            if case .pair(let one, let two, _, _) = match.kind { return one + two }
            return nil
        })
        #expect(againstBaseline == ["ab", "cb"])
        // g2 is g1 with the answers swapped.
        if case .pair(_, _, let g1, let g2) = baseline.matches[0].kind {
            #expect(g1.user.contains("<answer A>\na on a") && g2.user.contains("<answer A>\nb on a"))
        } else {
            Issue.record("expected a pair")
        }
    }

    @Test func missingAnswersAreListedNotGuessed() {
        let plan = JudgeMatch.plan(mode: .pairwiseAll, questions: questions, models: ["a", "b"], baseline: nil, answers: answers(["a", "b"], skipping: ("b", 2)))
        #expect(plan.missing == ["question 2, model b"])
        #expect(!plan.matches.contains { $0.questionID == 2 })
    }

    @Test func judgedMatchesAreSkippedWhicheverOrderTheyWereWritten() {
        let plan = JudgeMatch.plan(mode: .pairwiseAll, questions: questions, models: ["a", "b"], baseline: nil, answers: answers(["a", "b"]))
        let done = PairJudgment(
            questionID: 1, model1: "b", model2: "a", g1Winner: .tie, g2Winner: .tie, judge: JudgeIdentity(model: "j", prompt: "p"),
            g1UserPrompt: "", g1Judgment: "", g2UserPrompt: "", g2Judgment: "", turn: 2
        )
        let pending = JudgeRun.pending(plan.matches, done: [done.key])
        #expect(pending.count == plan.matches.count - 1)
        #expect(!pending.contains { $0.questionID == 1 && $0.turn == 2 })
        let single = SingleJudgment(questionID: 3, model: "a", judge: JudgeIdentity(model: "j", prompt: "p"), userPrompt: "", judgment: "", score: -1, turn: 1)
        let singles = JudgeMatch.plan(mode: .single, questions: questions, models: ["a"], baseline: nil, answers: answers(["a"])).matches
        #expect(JudgeRun.pending(singles, done: [single.key]).count == singles.count - 1)
    }
}
