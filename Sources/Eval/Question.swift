/// One MT-Bench question, as a line of FastChat's `question.jsonl`.
public struct Question: Codable, Sendable, Equatable {
    public var questionID: Int
    public var category: String
    /// The user's turns, asked one after another; each sees the model's earlier answers.
    public var turns: [String]
    /// Reference answers, one per turn, for the categories a judge cannot grade without them.
    public var reference: [String]?

    public init(questionID: Int, category: String, turns: [String], reference: [String]? = nil) {
        self.questionID = questionID
        self.category = category
        self.turns = turns
        self.reference = reference
    }

    enum CodingKeys: String, CodingKey {
        case questionID = "question_id"
        case category, turns, reference
    }
}
