import Leaderboard
import Testing

@Suite struct JudgeAgreementTests {
    private func vote(_ question: String, _ a: String, _ b: String, _ winner: Battle.Winner, judge: String, turn: Int = 1) -> JudgeAgreement.Vote {
        JudgeAgreement.Vote(question: question, turn: turn, modelA: a, modelB: b, winner: winner, judge: judge)
    }

    @Test func agreementWithAndWithoutTies() throws {
        let votes = [
            // q1: the judge says x; two humans say x (one in the other order), one says tie.
            vote("q1", "x", "y", .modelA, judge: "llm:gpt-4"),
            vote("q1", "x", "y", .modelA, judge: "expert_0"),
            vote("q1", "y", "x", .modelB, judge: "expert_1"),
            vote("q1", "x", "y", .tie, judge: "expert_2"),
            // q2: the judge ties, the human picks y (swapped order in the judge's vote).
            vote("q2", "y", "x", .tieBothBad, judge: "llm:gpt-4"),
            vote("q2", "x", "y", .modelB, judge: "expert_0"),
            // q3: they disagree.
            vote("q3", "x", "y", .modelB, judge: "llm:gpt-4"),
            vote("q3", "y", "x", .modelB, judge: "expert_0"),
            // q4: a tie on both sides agrees, with ties only.
            vote("q4", "x", "y", .tie, judge: "llm:gpt-4"),
            vote("q4", "x", "y", .tieBothBad, judge: "expert_3"),
            // Not paired: the human judged turn 2, another judge's pair, an LLM-only question.
            vote("q3", "x", "y", .modelB, judge: "expert_0", turn: 2),
            vote("q9", "x", "y", .modelA, judge: "llm:gpt-4"),
            vote("q1", "x", "z", .modelA, judge: "expert_0"),
        ]
        let result = JudgeAgreement.compute(votes)
        #expect(result.count == 1)
        let gpt4 = try #require(result.first)
        #expect(gpt4.judge == "llm:gpt-4")
        #expect(gpt4.pairs == 4)
        // With ties: q1 3 comparisons (2 agree), q2 1 (0), q3 1 (0), q4 1 (1).
        #expect(gpt4.withTies == .init(agree: 3, total: 6))
        // Without ties: q1 2 (2), q3 1 (0).
        #expect(gpt4.withoutTies == .init(agree: 2, total: 3))
        #expect(gpt4.withoutTies.rate == 2.0 / 3.0)
    }

    @Test func judgesAreReportedSeparatelyAndOnlyWhenPaired() {
        let votes = [
            vote("q1", "x", "y", .modelA, judge: "llm:a"),
            vote("q1", "x", "y", .modelB, judge: "llm:b"),
            vote("q1", "x", "y", .modelA, judge: "human"),
            vote("q2", "x", "y", .modelA, judge: "llm:c"),
        ]
        let result = JudgeAgreement.compute(votes)
        #expect(result.map(\.judge) == ["llm:a", "llm:b"])
        #expect(result.map(\.withTies.agree) == [1, 0])
        #expect(JudgeAgreement.compute([]).isEmpty)
        #expect(JudgeAgreement.Rate(agree: 0, total: 0).rate == nil)
    }
}
