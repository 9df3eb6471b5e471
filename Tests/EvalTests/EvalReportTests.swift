import Eval
import Foundation
import Testing

@Suite struct EvalReportTests {
    let questions = [
        Question(questionID: 1, category: "writing", turns: ["a", "b"]),
        Question(questionID: 2, category: "math", turns: ["c", "d"]),
    ]
    let judge = JudgeIdentity(model: "j", prompt: "p")

    func single(_ question: Int, _ model: String, _ turn: Int, _ score: Double, judge: String = "j") -> SingleJudgment {
        SingleJudgment(questionID: question, model: model, judge: JudgeIdentity(model: judge, prompt: "p"), userPrompt: "", judgment: "", score: score, turn: turn)
    }

    @Test func singleMeansAsShowResult() throws {
        let lines = [
            single(1, "m", 1, 8), single(1, "m", 2, 6), single(2, "m", 1, 4), single(2, "m", 2, -1),
            single(1, "n", 1, 9), single(2, "n", 1, 10), single(1, "n", 2, 7),
            single(1, "n", 1, 1, judge: "other"),
        ]
        let report = EvalReport.single(lines, questions: questions, judge: "j")
        #expect(report.judgments == 7)
        #expect(report.unparseable == 1)
        let n = try #require(report.scores?.first)
        let m = try #require(report.scores?.last)
        #expect(n.model == "n" && m.model == "m")
        #expect(m.turn1 == 6 && m.turn2 == 6 && m.overall == 6)
        #expect(m.categories == ["writing": 7, "math": 4])
        #expect(m.unparseable == 1 && m.judged == 3)
        #expect(n.turn1 == 9.5 && n.turn2 == 7 && n.overall == 26.0 / 3)
        #expect(report.categories == ["writing", "math"])
        #expect(EvalReport.single(lines, questions: questions, judge: "j", models: ["m"]).scores?.map(\.model) == ["m"])
    }

    func pair(_ question: Int, _ one: String, _ two: String, _ g1: PairJudgment.Winner, _ g2: PairJudgment.Winner, turn: Int = 1) -> PairJudgment {
        PairJudgment(questionID: question, model1: one, model2: two, g1Winner: g1, g2Winner: g2, judge: judge, g1UserPrompt: "", g1Judgment: "", g2UserPrompt: "", g2Judgment: "", turn: turn)
    }

    @Test func pairwiseCountsAsShowResult() throws {
        let lines = [
            pair(1, "a", "b", .model1, .model1),  // a wins
            pair(1, "a", "b", .model1, .model2, turn: 2),  // flips with the order: tie
            pair(2, "a", "b", .tie, .tie),  // tie
            pair(2, "a", "b", .model2, .model2, turn: 2),  // b wins
            pair(2, "a", "c", .error, .model1),  // left out, one unparseable
            pair(1, "b", "c", .model1, .model1),  // b beats c
        ]
        let report = EvalReport.pairwise(lines, questions: questions, judge: "j", baseline: nil)
        #expect(report.unparseable == 1)
        #expect(report.inconsistent == 1)
        let records = Dictionary(uniqueKeysWithValues: (report.records ?? []).map { ($0.model, $0) })
        let a = try #require(records["a"])
        #expect((a.win, a.loss, a.tie) == (1, 1, 2))
        #expect(a.winRate == 0.25 && a.lossRate == 0.25 && a.winRateAdjusted == 0.5)
        #expect(a.categories == ["writing": 0.75, "math": 0.25])
        let b = try #require(records["b"])
        #expect((b.win, b.loss, b.tie) == (2, 1, 2))
        #expect(records["c"].map { ($0.win, $0.loss, $0.tie) } ?? (9, 9, 9) == (0, 1, 0))
        #expect(report.records?.map(\.model) == ["b", "a", "c"])
    }

    @Test func baselineIsTheYardstickNotARow() {
        let lines = [pair(1, "a", "base", .model1, .model1), pair(1, "c", "base", .model2, .model2), pair(1, "a", "c", .model1, .model1)]
        let report = EvalReport.pairwise(lines, questions: questions, judge: "j", baseline: "base")
        #expect(report.mode == .pairwiseBaseline)
        #expect(report.records?.map(\.model) == ["a", "c"])
        #expect(report.records?.map(\.win) == [1, 0])
        #expect(report.judgments == 2)
    }

    @Test func jsonCarriesTheRates() throws {
        let report = EvalReport.pairwise([pair(1, "a", "b", .model1, .model1)], questions: questions, judge: "j", baseline: nil)
        let json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as? [String: Any])
        let records = try #require(json["records"] as? [[String: Any]])
        #expect(records.first?["win_rate_adjusted"] as? Double == 1)
        #expect(try JSONDecoder().decode(EvalReport.self, from: try JSONEncoder().encode(report)) == report)
    }

    @Test func textShowsTablesAndTheUnparseableCount() {
        let report = EvalReport.single([single(1, "m", 1, 8), single(2, "m", 1, -1)], questions: questions, judge: "j")
        let text = report.text
        #expect(text.contains("1 unparseable verdict (left out)"))
        #expect(text.contains("m        8.00       -     8.00       1            1"))
        #expect(text.contains("writing"))
    }

    @Test func chartDrawsOneBarPerFigureAndEscapesNames() {
        let report = EvalReport.single([single(1, "<m&>", 1, 5), single(2, "<m&>", 1, 10), single(1, "n", 1, 2)], questions: questions, judge: "j")
        let svg = CategoryChart(report: report).svg
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("&lt;m&amp;&gt;") && !svg.contains("<m&>"))
        #expect(svg.components(separatedBy: "<rect x=").count - 1 == 3 + 2)  // three bars, two legend keys
        // A full bar for 10 of 10: the plot's whole height.
        #expect(svg.contains(##"height="240.0" fill="#4e79a7""##))
        #expect(CategoryChart(report: report).maximum == 10)
        #expect(CategoryChart(report: .pairwise([], questions: questions, judge: "j", baseline: nil)).maximum == 1)
    }

    @Test func retryPolicyBacksOffBoundedly() {
        let policy = RetryPolicy(attempts: 4, firstDelay: .milliseconds(500), maxDelay: .seconds(8))
        #expect((1...6).map { policy.delay(after: $0) } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)])
        #expect(policy.delay(after: Int.max) == .seconds(8))
        #expect(RetryPolicy(attempts: 0).attempts == 1)
        #expect(RetryPolicy.isRetryable(status: 503) && RetryPolicy.isRetryable(status: 429) && RetryPolicy.isRetryable(status: 408))
        #expect(!RetryPolicy.isRetryable(status: 404) && !RetryPolicy.isRetryable(status: 400) && !RetryPolicy.isRetryable(status: 401))
    }

    @Test func progressLine() {
        var line = ProgressLine(label: "answer", total: 40)
        line.done = 10
        line.failed = 1
        #expect(line.bar == "answer [######------------------] 10/40  1 failed")
        #expect(line.plain == "answer: 10/40 done, 1 failed")
        #expect(!line.isMilestone)
        line.done = 12
        #expect(line.isMilestone)
        line.done = 40
        #expect(line.isMilestone)
        #expect(ProgressLine(label: "x", total: 0).bar == "x [########################] 0/0")
    }

    @Test func temperaturesAsMTBench() {
        #expect(["writing", "roleplay", "extraction", "math", "coding", "reasoning", "stem", "humanities", "other"].map(Category.temperature(of:))
            == [0.7, 0.7, 0, 0, 0, 0, 0.1, 0.1, 0.7])
        #expect(Category.needsReference("math") && Category.needsReference("coding") && Category.needsReference("reasoning") && !Category.needsReference("stem"))
    }
}
