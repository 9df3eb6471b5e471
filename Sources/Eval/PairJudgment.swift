import Foundation

/// One line of FastChat's `model_judgment/<judge>_pair.jsonl`: one turn of two models' answers
/// compared twice, `g1` with model 1 shown first and `g2` with the order swapped, so that a judge's
/// preference for a position cancels out.
public struct PairJudgment: Codable, Sendable, Equatable {
    /// A game's outcome in FastChat's words, already mapped back from positions to models.
    public enum Winner: String, Codable, Sendable {
        case model1 = "model_1"
        case model2 = "model_2"
        case tie
        /// The judge's reply held no single verdict.
        case error
    }

    public var questionID: Int
    public var model1: String
    public var model2: String
    public var g1Winner: Winner
    public var g2Winner: Winner
    public var judge: JudgeIdentity
    public var g1UserPrompt: String
    public var g1Judgment: String
    public var g2UserPrompt: String
    public var g2Judgment: String
    public var turn: Int
    public var tstamp: Double

    public init(
        questionID: Int, model1: String, model2: String, g1Winner: Winner, g2Winner: Winner, judge: JudgeIdentity,
        g1UserPrompt: String, g1Judgment: String, g2UserPrompt: String, g2Judgment: String, turn: Int,
        tstamp: Double = Date().timeIntervalSince1970
    ) {
        self.questionID = questionID
        self.model1 = model1
        self.model2 = model2
        self.g1Winner = g1Winner
        self.g2Winner = g2Winner
        self.judge = judge
        self.g1UserPrompt = g1UserPrompt
        self.g1Judgment = g1Judgment
        self.g2UserPrompt = g2UserPrompt
        self.g2Judgment = g2Judgment
        self.turn = turn
        self.tstamp = tstamp
    }

    /// How many of the two games the judge answered without a usable verdict.
    public var unparseableCount: Int {
        (g1Winner == .error ? 1 : 0) + (g2Winner == .error ? 1 : 0)
    }

    /// The pair's outcome as `show_result.py` counts it: a verdict that flips when the answers
    /// swap places is a tie; nil when either game has no verdict.
    public var outcome: Winner? {
        guard g1Winner != .error, g2Winner != .error else { return nil }
        return g1Winner == g2Winner ? g1Winner : .tie
    }

    enum CodingKeys: String, CodingKey {
        case questionID = "question_id"
        case model1 = "model_1"
        case model2 = "model_2"
        case g1Winner = "g1_winner"
        case g2Winner = "g2_winner"
        case g1UserPrompt = "g1_user_prompt"
        case g1Judgment = "g1_judgment"
        case g2UserPrompt = "g2_user_prompt"
        case g2Judgment = "g2_judgment"
        case judge, turn, tstamp
    }
}
