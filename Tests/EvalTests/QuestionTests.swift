import Eval
import Foundation
import Testing

@Suite struct QuestionTests {
    @Test func readsFastChatsQuestionLine() throws {
        let line = #"{"question_id": 81, "category": "writing", "turns": ["Compose a blog post.", "Rewrite it."]}"#
        let question = try JSONDecoder().decode(Question.self, from: Data(line.utf8))
        #expect(question == Question(questionID: 81, category: "writing", turns: ["Compose a blog post.", "Rewrite it."]))
    }
}
