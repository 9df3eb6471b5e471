import Eval
import Foundation
import Testing

/// The lines FastChat's llm_judge scripts write and read, key for key.
@Suite struct FileFormatTests {
    func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func answerLineHasFastChatsKeysAndRoundTrips() throws {
        let answer = ModelAnswer(questionID: 81, answerID: "abc", modelID: "m", turns: ["one", "two"], tstamp: 1700000000.5)
        let line = try JSONLines.encode(answer)
        let json = try object(line)
        #expect(Set(json.keys) == ["question_id", "answer_id", "model_id", "choices", "tstamp"])
        let choices = try #require(json["choices"] as? [[String: Any]])
        #expect(choices.count == 1 && choices[0]["index"] as? Int == 0 && choices[0]["turns"] as? [String] == ["one", "two"])
        #expect(JSONLines.decode(ModelAnswer.self, from: line).values == [answer])
    }

    @Test func readsALineFastChatWrote() {
        // As gen_model_answer.py's json.dumps writes it.
        let line = #"{"question_id": 81, "answer_id": "Ht8wuVCLzCJBnfqGEJXKzT", "model_id": "vicuna-7b-v1.3", "choices": [{"index": 0, "turns": ["Aloha!", "Hawaii."]}], "tstamp": 1687221895.7203956}"#
        let answer = JSONLines.decode(ModelAnswer.self, from: line).values.first
        #expect(answer?.turns == ["Aloha!", "Hawaii."])
        #expect(answer?.modelID == "vicuna-7b-v1.3")
    }

    @Test func singleJudgmentLine() throws {
        let judgment = SingleJudgment(
            questionID: 81, model: "m", judge: JudgeIdentity(model: "gpt-4", prompt: "switchyard-single-v1"),
            userPrompt: "p", judgment: "Rating: [[8.5]]", score: 8.5, turn: 1, tstamp: 1
        )
        let line = try JSONLines.encode(judgment)
        let json = try object(line)
        #expect(Set(json.keys) == ["question_id", "model", "judge", "user_prompt", "judgment", "score", "turn", "tstamp"])
        #expect(json["judge"] as? [String] == ["gpt-4", "switchyard-single-v1"])
        #expect(JSONLines.decode(SingleJudgment.self, from: line).values == [judgment])
        // FastChat's unparseable mark, an integer on its wire.
        let failed = #"{"question_id": 81, "model": "m", "judge": ["gpt-4", "single-v1"], "user_prompt": "p", "judgment": "?", "score": -1, "turn": 2, "tstamp": 1.5}"#
        #expect(JSONLines.decode(SingleJudgment.self, from: failed).values.first?.isUnparseable == true)
    }

    @Test func pairJudgmentLine() throws {
        let judgment = PairJudgment(
            questionID: 81, model1: "a", model2: "b", g1Winner: .model1, g2Winner: .tie,
            judge: JudgeIdentity(model: "gpt-4", prompt: "switchyard-pair-v1"),
            g1UserPrompt: "p1", g1Judgment: "[[A]]", g2UserPrompt: "p2", g2Judgment: "[[C]]", turn: 1, tstamp: 1
        )
        let line = try JSONLines.encode(judgment)
        let json = try object(line)
        #expect(Set(json.keys) == ["question_id", "model_1", "model_2", "g1_winner", "g2_winner", "judge", "g1_user_prompt", "g1_judgment", "g2_user_prompt", "g2_judgment", "turn", "tstamp"])
        #expect(json["g1_winner"] as? String == "model_1" && json["g2_winner"] as? String == "tie")
        #expect(JSONLines.decode(PairJudgment.self, from: line).values == [judgment])
        #expect(judgment.outcome == .tie)
        let error = #"{"question_id": 1, "model_1": "a", "model_2": "b", "g1_winner": "error", "g2_winner": "model_2", "judge": ["j", "p"], "g1_user_prompt": "", "g1_judgment": "", "g2_user_prompt": "", "g2_judgment": "", "turn": 1, "tstamp": 0}"#
        let parsed = JSONLines.decode(PairJudgment.self, from: error).values.first
        #expect(parsed?.outcome == nil && parsed?.unparseableCount == 1)
    }

    @Test func aLineCutShortIsSkippedNotFatal() {
        let text = """
            {"question_id": 1, "category": "math", "turns": ["a"]}

            {"question_id": 2, "category": "ma
            {"question_id": 3, "category": "stem", "turns": ["b"]}
            """
        let (questions, bad) = JSONLines.decode(Question.self, from: text)
        #expect(questions.map(\.questionID) == [1, 3])
        #expect(bad == [3])
    }

    @Test func writerAppendsWholeLinesAfterACutOne() async throws {
        let path = NSTemporaryDirectory() + "eval-writer-\(UUID().uuidString)/a.jsonl"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let first = try JSONLinesWriter(path: path)
        try await first.append(ModelAnswer(questionID: 1, modelID: "m", turns: ["x"]))
        try await first.close()
        // A killed run left half a line behind.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"question_id": 2, "ans"#.utf8))
        try handle.close()
        let second = try JSONLinesWriter(path: path)
        try await second.append(ModelAnswer(questionID: 3, modelID: "m", turns: ["y"]))
        try await second.close()
        let (answers, bad) = try JSONLines.read(ModelAnswer.self, at: path)
        #expect(answers.map(\.questionID) == [1, 3])
        #expect(bad == [2])
    }

    @Test func modelNamesBecomeSafeFileNames() {
        let directory = EvalDirectory(path: "out/")
        #expect(directory.answers(of: "gpt-4") == "out/model_answer/gpt-4.jsonl")
        #expect(directory.singleJudgments(by: "gpt-4") == "out/model_judgment/gpt-4_single.jsonl")
        #expect(directory.pairJudgments(by: "gpt-4") == "out/model_judgment/gpt-4_pair.jsonl")
        #expect(EvalDirectory.fileName("meta/llama-3") == "meta_llama-3")
        #expect(EvalDirectory.fileName("../../etc/passwd") == "_._.._etc_passwd")
        #expect(EvalDirectory.fileName(".hidden") == "_hidden")
        #expect(EvalDirectory.fileName("") == "_")
        #expect(EvalDirectory.fileName("a\nb") == "a_b")
    }

    @Test func questionFilesAreChecked() throws {
        let directory = NSTemporaryDirectory() + "eval-questions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func load(_ text: String) throws -> [Question] {
            let path = directory + "/q.jsonl"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return try Question.load(from: path)
        }
        #expect(try load(#"{"question_id": 1, "category": "math", "turns": ["a", "b"], "reference": ["1", "2"]}"#).first?.reference == ["1", "2"])
        #expect(throws: EvalError.self) { try load("") }
        #expect(throws: EvalError.self) { try load(#"{"question_id": 1, "category": "math", "turns": []}"#) }
        #expect(throws: EvalError.self) { try load("{\"question_id\": 1, \"category\": \"x\", \"turns\": [\"a\"]}\n{\"question_id\": 1, \"category\": \"y\", \"turns\": [\"b\"]}") }
        #expect(throws: EvalError.self) { try load("not json") }
    }

    @Test func seedQuestionsCoverMTBenchsCategories() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let questions = try Question.load(from: root.appendingPathComponent("seeds/mt-bench-questions.jsonl").path)
        #expect(questions.count >= 20)
        #expect(Set(questions.map(\.category)) == ["writing", "roleplay", "extraction", "math", "coding", "reasoning", "stem", "humanities"])
        #expect(questions.allSatisfy { $0.turns.count == 2 })
        #expect(questions.filter { Category.needsReference($0.category) }.allSatisfy { $0.reference?.count == 2 })
    }
}
