import Backends
import Eval
import SwitchyardCore
import Testing

@Suite struct JudgePromptTests {
    let writing = Question(questionID: 1, category: "writing", turns: ["Write a haiku.", "Now a limerick."])
    let math = Question(questionID: 2, category: "math", turns: ["2+2?", "Times 3?"], reference: ["4", "12"])

    @Test func singleFirstTurnShowsQuestionAndAnswerOnly() throws {
        let prompt = try #require(JudgePrompt.single(question: writing, answer: ["Leaves fall.", "There once was"], turn: 1))
        #expect(prompt.name == "switchyard-single-v1")
        #expect(prompt.system.contains("[[rating]]"))
        #expect(prompt.user == "<question>\nWrite a haiku.\n</question>\n\n<answer>\nLeaves fall.\n</answer>")
        #expect(prompt.messages.map(\.role) == ["system", "user"])
    }

    @Test func secondTurnShowsTheFirstExchangeAsContext() throws {
        let prompt = try #require(JudgePrompt.single(question: writing, answer: ["Leaves fall.", "There once was"], turn: 2))
        #expect(prompt.name == "switchyard-single-v1-multi-turn")
        #expect(prompt.system.contains("second message"))
        #expect(prompt.user == """
            <first question>
            Write a haiku.
            </first question>

            <earlier answer>
            Leaves fall.
            </earlier answer>

            <second question>
            Now a limerick.
            </second question>

            <answer>
            There once was
            </answer>
            """)
    }

    @Test func referenceIsShownForCategoriesWithOneRightAnswer() throws {
        let first = try #require(JudgePrompt.single(question: math, answer: ["5", "15"], turn: 1))
        #expect(first.name == "switchyard-single-ref-v1")
        #expect(first.user.contains("<reference>\n4\n</reference>"))
        let second = try #require(JudgePrompt.pair(question: math, answerA: ["4", "12"], answerB: ["5", "15"], turn: 2))
        #expect(second.name == "switchyard-pair-ref-v1-multi-turn")
        #expect(second.user.contains("<reference for the first question>\n4\n</reference for the first question>"))
        #expect(second.user.contains("<reference>\n12\n</reference>"))
        // A writing question with a reference field still gets none: it has no one right answer.
        var withReference = writing
        withReference.reference = ["x", "y"]
        #expect(JudgePrompt.single(question: withReference, answer: ["a", "b"], turn: 1)?.user.contains("reference") == false)
    }

    @Test func pairShowsBothAnswersInTheGivenOrder() throws {
        let prompt = try #require(JudgePrompt.pair(question: writing, answerA: ["first A", "second A"], answerB: ["first B", "second B"], turn: 2))
        #expect(prompt.name == "switchyard-pair-v1-multi-turn")
        #expect(prompt.system.contains("[[A]]") && prompt.system.contains("[[B]]") && prompt.system.contains("[[C]]"))
        let order = ["<earlier answer A>", "<earlier answer B>", "<second question>", "<answer A>\nsecond A", "<answer B>\nsecond B"]
        let positions = order.compactMap { prompt.user.range(of: $0)?.lowerBound }
        #expect(positions.count == order.count && positions == positions.sorted())
    }

    @Test func missingTurnsGiveNoPrompt() {
        #expect(JudgePrompt.single(question: writing, answer: ["only one"], turn: 2) == nil)
        #expect(JudgePrompt.single(question: writing, answer: ["a", "b"], turn: 3) == nil)
        #expect(JudgePrompt.single(question: writing, answer: ["a", "b"], turn: 0) == nil)
        let oneTurn = Question(questionID: 3, category: "stem", turns: ["Why?"])
        #expect(JudgePrompt.pair(question: oneTurn, answerA: ["a", "b"], answerB: ["c", "d"], turn: 2) == nil)
    }

    /// The simulator's judge reads these prompts: the longer answer wins, in either order.
    @Test func simulatedJudgeReadsThePrompts() throws {
        func ask(_ prompt: JudgePrompt) -> String {
            SimulatedJudge.verdict(for: prompt.messages) ?? ""
        }
        let long = ["one two three four five six seven eight nine ten eleven", "a b c d e f g h i j k l"]
        let short = ["one two", "a"]
        for turn in [1, 2] {
            let g1 = try #require(JudgePrompt.pair(question: writing, answerA: long, answerB: short, turn: turn))
            let g2 = try #require(JudgePrompt.pair(question: writing, answerA: short, answerB: long, turn: turn))
            #expect(Verdict.winner(in: ask(g1), modelShownFirst: .model1) == .model1)
            #expect(Verdict.winner(in: ask(g2), modelShownFirst: .model2) == .model1)
            let equal = try #require(JudgePrompt.pair(question: writing, answerA: short, answerB: short, turn: turn))
            #expect(Verdict.preference(in: ask(equal)) == .success(.tie))
        }
        let single = try #require(JudgePrompt.single(question: math, answer: long, turn: 2))
        #expect(Verdict.rating(in: ask(single)) == .success(Double(SimulatedJudge.rating(words: 12))))
    }
}
