import Foundation
import Leaderboard
import Testing

@Suite struct JudgmentLogTests {
    private func pair(_ q: Int, _ m1: String, _ m2: String, _ g1: String, _ g2: String, turn: Int = 1, judge: String = "gpt-4") -> String {
        #"{"question_id": \#(q), "model_1": "\#(m1)", "model_2": "\#(m2)", "g1_winner": "\#(g1)", "g2_winner": "\#(g2)", "judge": ["\#(judge)", "pair-v2"], "g1_user_prompt": "…", "g1_judgment": "[[A]]", "g2_user_prompt": "…", "g2_judgment": "[[B]]", "turn": \#(turn), "tstamp": 1700000000.5}"#
    }

    private func decode(_ lines: [String]) throws(FastChatBattle.FormatError) -> JudgmentLog {
        try JudgmentLog(decoding: Data(lines.joined(separator: "\n").utf8))
    }

    @Test func pairsBecomeVotesAsShowResultCountsThem() throws {
        let log = try decode([
            pair(81, "x", "y", "model_1", "model_1"),
            pair(82, "x", "y", "model_2", "model_2"),
            pair(83, "x", "y", "model_1", "model_2"),
            pair(84, "x", "y", "tie", "tie"),
            pair(85, "x", "y", "tie", "model_1"),
            pair(86, "x", "y", "model_1", "error"),
            pair(87, "x", "y", "error", "error"),
            "",
            pair(81, "x", "y", "model_1", "model_1", turn: 2),
        ])
        #expect(log.judgments.map(\.winner) == [.modelA, .modelB, .tie, .tie, .tie, .modelA])
        #expect(log.droppedErrors == 2)
        #expect(log.duplicates == 0)
        let first = log.judgments[0]
        #expect(first.judge == "llm:gpt-4")
        #expect(first.question == "81")
        #expect(first.turn == 1)
        #expect(first.timestamp == 1_700_000_000.5)
        #expect(log.judgments[5].turn == 2)
        #expect(Set(log.judgments.map(\.id)).count == 6)
    }

    @Test func duplicatesAreCountedOnce() throws {
        let line = pair(81, "x", "y", "model_1", "model_1")
        let log = try decode([line, line, pair(81, "x", "y", "model_1", "model_1", judge: "other")])
        #expect(log.judgments.count == 2)
        #expect(log.duplicates == 1)
    }

    @Test func mtBenchHumanJudgmentsAreAccepted() throws {
        let data = Data(#"""
            [{"question_id": 81, "model_a": "alpaca-13b", "model_b": "gpt-3.5-turbo", "winner": "model_b", "judge": "author_2", "conversation_a": [], "turn": 1},
             {"question_id": 81, "model_a": "alpaca-13b", "model_b": "gpt-3.5-turbo", "winner": "tie", "judge": "expert_0", "turn": 2},
             {"question_id": 82, "model_a": "alpaca-13b", "model_b": "vicuna-13b", "winner": "model_a", "judge": ["gpt-4", "pair-v2"], "turn": 1}]
            """#.utf8)
        let log = try JudgmentLog(decoding: data)
        #expect(log.judgments.map(\.judge) == ["author_2", "expert_0", "llm:gpt-4"])
        #expect(log.judgments.map(\.winner) == [.modelB, .tie, .modelA])
        #expect(log.judgments.map(\.timestamp) == [0, 0, 0])
    }

    @Test func malformedLinesAreRefusedWithTheirLineNumber() {
        let good = pair(81, "x", "y", "model_1", "model_1")
        let cases: [(String, String)] = [
            ("{not json", "line 2"),
            (pair(81, "x", "y", "model_3", "model_1"), "line 2: a game's winner"),
            (#"{"model_1": "x", "model_2": "y", "g1_winner": "tie", "g2_winner": "tie", "judge": ["j", "p"]}"#, "line 2: missing key 'question_id'"),
            (#"{"question_id": 1, "model_1": "x", "g1_winner": "tie", "g2_winner": "tie", "judge": ["j", "p"]}"#, "line 2: a pairwise judgment needs"),
            (pair(81, "x", "y", "tie", "tie", turn: 0), "line 2: 'turn' must be between 1 and 100"),
            (pair(81, "x", "y", "tie", "tie", turn: 101), "line 2: 'turn'"),
            (pair(81, "x", "x", "tie", "tie"), "line 2: a model cannot be judged against itself"),
            (pair(81, String(repeating: "m", count: 257), "y", "tie", "tie"), "line 2: a model must be 1 to 256 bytes"),
            (pair(81, "", "y", "tie", "tie"), "line 2: a model must be"),
            (pair(81, "x", "y", "tie", "tie", judge: ""), "line 2: a judge must be"),
            (#"{"question_id": 1, "model_1": "x", "model_2": "y", "g1_winner": "tie", "g2_winner": "tie", "judge": []}"#, "line 2"),
            (#"{"question_id": 1, "model_1": "x", "model_2": "y", "g1_winner": "tie", "g2_winner": "tie", "judge": ["j"], "tstamp": -1}"#, "line 2: 'tstamp'"),
            (#"{"question_id": 1, "model_1": "x", "model_2": "y", "g1_winner": "tie", "g2_winner": "tie", "judge": ["j"], "turn": 1e300}"#, "line 2"),
            (#"{"question_id": 1, "model_a": "x", "model_b": "y", "winner": "model_c", "judge": "h"}"#, "line 2: 'winner' must be"),
            (#"{"question_id": 1, "judge": "h"}"#, "line 2: a record needs"),
        ]
        for (bad, expected) in cases {
            do {
                _ = try decode([good, bad, good])
                Issue.record("accepted: \(bad)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
            }
        }
    }

    @Test func arraysReportTheRecordNumber() {
        #expect(throws: FastChatBattle.FormatError(location: "record 2", reason: "'turn' must be between 1 and 100")) {
            try JudgmentLog(decoding: Data(#"[{"question_id": 1, "model_a": "x", "model_b": "y", "winner": "tie", "judge": "h"}, {"question_id": 1, "model_a": "x", "model_b": "y", "winner": "tie", "judge": "h", "turn": 0}]"#.utf8))
        }
    }
}
