import Foundation

/// Pairwise judgments read as arena votes: FastChat's `model_judgment/<judge>_pair.jsonl`
/// (LLM-as-judge, both orders) and MT-Bench's published human judgments
/// (`{"question_id", "model_a", "model_b", "winner", "judge", "turn"}`), JSON lines or a JSON
/// array, told apart per record by `g1_winner`.
///
/// A judgment pair becomes one vote as FastChat's `show_result.py` counts it: a pair with an
/// `"error"` game is dropped; a tie in the first game, or two games that disagree, is a tie;
/// otherwise the agreed winner. The judge is `llm:<judge model>` (``JudgeAgreement/llmPrefix``);
/// a human record keeps its judge's name (`expert_0`), unless its judge is a `[model, prompt]`
/// list as in MT-Bench's GPT-4 file, which is an LLM too.
///
/// Every value is checked: names and question ids at most ``maxNameBytes`` bytes, turns
/// 1…``maxTurn``, timestamps finite and not negative; a bad record is refused with its line.
public struct JudgmentLog: Sendable, Equatable {
    /// One judgment as a vote.
    public struct Judgment: Sendable, Equatable {
        /// Derived from judge, question, turn and both models, so importing a file twice, or a
        /// judgment twice, adds it once.
        public var id: String
        public var question: String
        public var turn: Int
        public var modelA: String
        public var modelB: String
        public var winner: Battle.Winner
        public var judge: String
        /// Unix seconds; 0 when the record has none.
        public var timestamp: Double
    }

    public var judgments: [Judgment]
    /// Pairs dropped because a game's verdict was `"error"`.
    public var droppedErrors: Int
    /// Records that repeated an earlier one's id.
    public var duplicates: Int

    public static let maxNameBytes = 256
    public static let maxTurn = 100
    /// Files larger than this are refused before reading.
    public static let maxFileBytes = 512 << 20

    public init(decoding data: Data) throws(FastChatBattle.FormatError) {
        let records = try JSONRecords.decode(data) { (record: Record) throws(JSONRecordError) in try record.judgment() }
        var seen = Set<String>()
        judgments = []
        droppedErrors = 0
        duplicates = 0
        for record in records {
            guard let judgment = record else {
                droppedErrors += 1
                continue
            }
            guard seen.insert(judgment.id).inserted else {
                duplicates += 1
                continue
            }
            judgments.append(judgment)
        }
    }

    /// Either format, every field optional until checked.
    private struct Record: Decodable {
        var questionID: Identifier?
        var model1: String?
        var model2: String?
        var g1Winner: String?
        var g2Winner: String?
        var modelA: String?
        var modelB: String?
        var winner: String?
        var judge: JudgeName?
        var turn: Int?
        var tstamp: Double?

        enum CodingKeys: String, CodingKey {
            case judge, turn, tstamp, winner
            case questionID = "question_id"
            case model1 = "model_1"
            case model2 = "model_2"
            case g1Winner = "g1_winner"
            case g2Winner = "g2_winner"
            case modelA = "model_a"
            case modelB = "model_b"
        }

        /// The vote, or `nil` for a pair with an `"error"` game.
        func judgment() throws(JSONRecordError) -> Judgment? {
            guard let questionID else { throw JSONRecordError(reason: "missing key 'question_id'") }
            guard let judge else { throw JSONRecordError(reason: "missing key 'judge'") }
            let turn = self.turn ?? 1
            guard (1...JudgmentLog.maxTurn).contains(turn) else {
                throw JSONRecordError(reason: "'turn' must be between 1 and \(JudgmentLog.maxTurn)")
            }
            let tstamp = self.tstamp ?? 0
            guard tstamp.isFinite, tstamp >= 0 else { throw JSONRecordError(reason: "'tstamp' must be a finite number of seconds, not negative") }
            let (modelA, modelB, winner): (String, String, Battle.Winner)
            let judgeName: String
            if let g1Winner {
                guard let model1, let model2, let g2Winner else {
                    throw JSONRecordError(reason: "a pairwise judgment needs 'model_1', 'model_2', 'g1_winner' and 'g2_winner'")
                }
                let games = try [g1Winner, g2Winner].map { (verdict: String) throws(JSONRecordError) -> String in
                    guard ["model_1", "model_2", "tie", "error"].contains(verdict) else {
                        throw JSONRecordError(reason: "a game's winner must be 'model_1', 'model_2', 'tie' or 'error'")
                    }
                    return verdict
                }
                if games.contains("error") { return nil }
                (modelA, modelB) = (model1, model2)
                winner = games[0] == "tie" || games[0] != games[1] ? .tie : games[0] == "model_1" ? .modelA : .modelB
                judgeName = JudgeAgreement.llmPrefix + judge.model
            } else {
                guard let model1 = self.modelA, let model2 = self.modelB, let verdict = self.winner else {
                    throw JSONRecordError(reason: "a record needs 'g1_winner' (a pairwise judgment) or 'model_a', 'model_b' and 'winner' (a human judgment)")
                }
                (modelA, modelB) = (model1, model2)
                switch verdict {
                case "model_a": winner = .modelA
                case "model_b": winner = .modelB
                case _ where verdict.contains("tie") && verdict.utf8.count <= 32: winner = .tie
                default: throw JSONRecordError(reason: "'winner' must be 'model_a', 'model_b' or a tie")
                }
                judgeName = judge.isLLM ? JudgeAgreement.llmPrefix + judge.model : judge.model
            }
            for (name, value) in [("model", modelA), ("model", modelB), ("judge", judge.model), ("question_id", questionID.text)] {
                guard !value.isEmpty, value.utf8.count <= JudgmentLog.maxNameBytes else {
                    throw JSONRecordError(reason: "a \(name) must be 1 to \(JudgmentLog.maxNameBytes) bytes")
                }
            }
            guard modelA != modelB else { throw JSONRecordError(reason: "a model cannot be judged against itself") }
            // Unit separators cannot be in names a person types, so ids cannot collide.
            let id = ["judgment", judgeName, questionID.text, String(turn), modelA, modelB].joined(separator: "\u{1F}")
            return Judgment(id: id, question: questionID.text, turn: turn, modelA: modelA, modelB: modelB, winner: winner, judge: judgeName, timestamp: tstamp)
        }
    }

    /// MT-Bench's question ids are numbers; other sets use strings.
    private struct Identifier: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                text = String(number)
            } else {
                text = try container.decode(String.self)
            }
        }
    }

    /// FastChat writes `[judge model, prompt name]`; human files write the person's id.
    private struct JudgeName: Decodable {
        var model: String
        var isLLM: Bool

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let name = try? container.decode(String.self) {
                model = name
                isLLM = false
            } else {
                let parts = try container.decode([String].self)
                guard let first = parts.first else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "an empty judge")
                }
                model = first
                isLLM = true
            }
        }
    }
}
