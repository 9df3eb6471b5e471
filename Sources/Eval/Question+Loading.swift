extension Question {
    /// The questions of a `question.jsonl` file, checked: every question has a turn and a unique id.
    public static func load(from path: String) throws -> [Question] {
        let (questions, bad) = try JSONLines.read(Question.self, at: path)
        if let line = bad.first {
            throw EvalError("\(path):\(line): not a question (expected question_id, category, turns).")
        }
        guard !questions.isEmpty else { throw EvalError("\(path) holds no questions.") }
        var seen = Set<Int>()
        for question in questions {
            guard !question.turns.isEmpty else { throw EvalError("\(path): question \(question.questionID) has no turns.") }
            guard seen.insert(question.questionID).inserted else { throw EvalError("\(path): question \(question.questionID) appears twice.") }
        }
        return questions
    }
}
