import Foundation

/// One line of FastChat's `model_answer/<model>.jsonl`: a model's answers to every turn of one question.
public struct ModelAnswer: Codable, Sendable, Equatable {
    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var turns: [String]

        public init(index: Int = 0, turns: [String]) {
            self.index = index
            self.turns = turns
        }
    }

    public var questionID: Int
    public var answerID: String
    public var modelID: String
    public var choices: [Choice]
    /// Seconds since 1970, as Python's `time.time()`.
    public var tstamp: Double

    public init(questionID: Int, answerID: String = ModelAnswer.makeID(), modelID: String, turns: [String], tstamp: Double = Date().timeIntervalSince1970) {
        self.questionID = questionID
        self.answerID = answerID
        self.modelID = modelID
        self.choices = [Choice(turns: turns)]
        self.tstamp = tstamp
    }

    /// The answers of the first choice, the one MT-Bench judges.
    public var turns: [String] { choices.first?.turns ?? [] }

    /// A 22-character random id, as `shortuuid` makes them.
    public static func makeID() -> String {
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<22).map { _ in alphabet.randomElement(using: &generator)! })
    }

    enum CodingKeys: String, CodingKey {
        case questionID = "question_id"
        case answerID = "answer_id"
        case modelID = "model_id"
        case choices, tstamp
    }
}
