import SwitchyardCore

/// The messages that ask a judge for a verdict: the project's own wording of MT-Bench's scheme.
///
/// Answers go between `<answer>` tags (`<answer A>`, `<answer B>` in a pair), the one answer being
/// judged per tag; the second turn shows the first exchange as context in `<earlier …>` tags.
/// Reference answers are shown for the categories that have one right answer. The built-in
/// simulator's judge (`SimulatedJudge`) reads this layout.
public struct JudgePrompt: Sendable, Equatable {
    /// The prompt's name, recorded in FastChat's `judge` field beside the judge model.
    public var name: String
    public var system: String
    public var user: String

    /// A 1–10 grade of `answer`'s `turn` (1 or 2); nil when the question or answer lacks that turn.
    public static func single(question: Question, answer: [String], turn: Int) -> JudgePrompt? {
        guard let turn = Self.turn(turn, question: question, answers: [answer]) else { return nil }
        let reference = Self.reference(of: question)
        var system = """
            You are grading the reply an AI assistant gave to a user. Judge whether it is correct, \
            helpful, relevant, as detailed as the question needs, and clearly written; length alone is \
            no merit.
            """
        if reference != nil {
            system += " A reference answer is included: check the reply against it and count every error the reply makes."
        }
        if turn == 2 {
            system += " Grade only the reply to the user's second message; the first exchange is context."
        }
        system += " Explain your grade in a few sentences, then give it on a scale of 1 to 10 in double square brackets, as [[rating]], for example: Rating: [[6]]."

        var parts: [String] = []
        if turn == 2 {
            parts += [tag("first question", question.turns[0])]
            if let reference { parts += [tag("reference for the first question", reference[0])] }
            parts += [tag("earlier answer", answer[0]), tag("second question", question.turns[1])]
            if let reference, reference.count > 1 { parts += [tag("reference", reference[1])] }
        } else {
            parts += [tag("question", question.turns[0])]
            if let reference { parts += [tag("reference", reference[0])] }
        }
        parts += [tag("answer", answer[turn - 1])]
        return JudgePrompt(name: name("single", reference: reference != nil, turn: turn), system: system, user: parts.joined(separator: "\n\n"))
    }

    /// A comparison of `answerA` and `answerB` on `turn` (1 or 2), A shown first; nil when the
    /// question or either answer lacks that turn.
    public static func pair(question: Question, answerA: [String], answerB: [String], turn: Int) -> JudgePrompt? {
        guard let turn = Self.turn(turn, question: question, answers: [answerA, answerB]) else { return nil }
        let reference = Self.reference(of: question)
        var system = """
            You are comparing the replies two AI assistants, A and B, gave to the same user. Decide \
            which reply is better: more correct, helpful, relevant, suitably detailed and clear. The \
            order of the replies says nothing about their quality and neither does their length; \
            the assistants' names do not matter.
            """
        if reference != nil {
            system += " A reference answer is included: check both replies against it and weigh their errors."
        }
        if turn == 2 {
            system += " Compare only the replies to the user's second message; the first exchange is context."
        }
        system += " Explain your decision briefly, then end with exactly one verdict: [[A]] if A is better, [[B]] if B is better, [[C]] for a tie."

        var parts: [String] = []
        if turn == 2 {
            parts += [tag("first question", question.turns[0])]
            if let reference { parts += [tag("reference for the first question", reference[0])] }
            parts += [tag("earlier answer A", answerA[0]), tag("earlier answer B", answerB[0]), tag("second question", question.turns[1])]
            if let reference, reference.count > 1 { parts += [tag("reference", reference[1])] }
        } else {
            parts += [tag("question", question.turns[0])]
            if let reference { parts += [tag("reference", reference[0])] }
        }
        parts += [tag("answer A", answerA[turn - 1]), tag("answer B", answerB[turn - 1])]
        return JudgePrompt(name: name("pair", reference: reference != nil, turn: turn), system: system, user: parts.joined(separator: "\n\n"))
    }

    /// The chat messages to send: the instructions as the system message, the material as the user's.
    public var messages: [ChatCompletionRequest.Message] {
        [ChatCompletionRequest.Message(role: "system", content: system), ChatCompletionRequest.Message(role: "user", content: user)]
    }

    private static func turn(_ turn: Int, question: Question, answers: [[String]]) -> Int? {
        guard (1...2).contains(turn), question.turns.count >= turn, answers.allSatisfy({ $0.count >= turn }) else { return nil }
        return turn
    }

    private static func reference(of question: Question) -> [String]? {
        guard Category.needsReference(question.category), let reference = question.reference, !reference.isEmpty else { return nil }
        return reference
    }

    private static func name(_ kind: String, reference: Bool, turn: Int) -> String {
        "switchyard-\(kind)\(reference ? "-ref" : "")-v1\(turn == 2 ? "-multi-turn" : "")"
    }

    private static func tag(_ name: String, _ text: String) -> String {
        "<\(name)>\n\(text)\n</\(name)>"
    }
}
