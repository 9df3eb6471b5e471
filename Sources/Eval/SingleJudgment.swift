import Foundation

/// One line of FastChat's `model_judgment/<judge>_single.jsonl`: a 1–10 grade of one turn of one
/// model's answer; `score` is -1 when the judge's reply held no usable rating.
public struct SingleJudgment: Codable, Sendable, Equatable {
    public var questionID: Int
    public var model: String
    public var judge: JudgeIdentity
    public var userPrompt: String
    public var judgment: String
    public var score: Double
    public var turn: Int
    public var tstamp: Double

    public init(questionID: Int, model: String, judge: JudgeIdentity, userPrompt: String, judgment: String, score: Double, turn: Int, tstamp: Double = Date().timeIntervalSince1970) {
        self.questionID = questionID
        self.model = model
        self.judge = judge
        self.userPrompt = userPrompt
        self.judgment = judgment
        self.score = score
        self.turn = turn
        self.tstamp = tstamp
    }

    /// FastChat's mark of a reply without a usable rating.
    public static let unparseable: Double = -1

    public var isUnparseable: Bool { score == Self.unparseable }

    enum CodingKeys: String, CodingKey {
        case questionID = "question_id"
        case userPrompt = "user_prompt"
        case model, judge, judgment, score, turn, tstamp
    }
}
