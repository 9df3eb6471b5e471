import SwitchyardCore
import Foundation

/// `switchyard eval answer`: every model answers every question through the gateway, turn after
/// turn in one conversation, a bounded number of conversations at once. Each finished answer is
/// appended at once; a question already in a model's file is skipped, so an interrupted or partly
/// failed run is finished by running it again.
public struct AnswerRun: Sendable {
    public var questions: [Question]
    public var models: [String]
    public var directory: EvalDirectory
    public var concurrency: Int
    public var maxTokens: Int

    public init(questions: [Question], models: [String], directory: EvalDirectory, concurrency: Int, maxTokens: Int) {
        self.questions = questions
        self.models = models
        self.directory = directory
        self.concurrency = max(1, concurrency)
        self.maxTokens = maxTokens
    }

    /// What a run did: answers written, answers already there, and the failures (left unanswered).
    public struct Summary: Sendable, Equatable {
        public var written = 0
        public var skipped = 0
        public var failures: [String] = []
    }

    /// The questions `answers` does not answer yet, in file order; an answer with fewer turns than
    /// its question does not count.
    public static func pending(_ questions: [Question], answers: [ModelAnswer]) -> [Question] {
        let done = Dictionary(answers.map { ($0.questionID, $0.turns.count) }, uniquingKeysWith: max)
        return questions.filter { (done[$0.questionID] ?? 0) < $0.turns.count }
    }

    public func run(client: ChatClient, progress: (Int) -> ProgressReporter) async throws -> Summary {
        var summary = Summary()
        var work: [(model: String, question: Question)] = []
        var writers: [String: JSONLinesWriter] = [:]
        for model in models {
            let path = directory.answers(of: model)
            let existing = try JSONLines.read(ModelAnswer.self, at: path)
            let todo = Self.pending(questions, answers: existing.values.filter { $0.modelID == model })
            summary.skipped += questions.count - todo.count
            work += todo.map { (model, $0) }
            writers[model] = try JSONLinesWriter(path: path)
        }
        let reporter = progress(work.count)
        let maxTokens = self.maxTokens
        await concurrently(work, limit: concurrency) { item in
            try await Self.answer(item.question, model: item.model, client: client, maxTokens: maxTokens)
        } collect: { item, result in
            var result = result
            if case .success(let answer) = result {
                do { try await writers[item.model]?.append(answer) } catch { result = .failure(error) }
            }
            switch result {
            case .success:
                summary.written += 1
            case .failure(let error):
                let failure = "question \(item.question.questionID), model \(item.model): \(error)"
                reporter.note(failure)
                summary.failures.append(failure)
            }
            reporter.finished(failed: (try? result.get()) == nil)
        }
        for writer in writers.values { try await writer.close() }
        return summary
    }

    /// One conversation: each turn is asked with the model's earlier answers in the history.
    static func answer(_ question: Question, model: String, client: ChatClient, maxTokens: Int) async throws -> ModelAnswer {
        var messages: [ChatCompletionRequest.Message] = []
        var replies: [String] = []
        for turn in question.turns {
            messages.append(ChatCompletionRequest.Message(role: "user", content: turn))
            let reply = try await client.complete(model: model, messages: messages, temperature: Category.temperature(of: question.category), maxTokens: maxTokens)
            messages.append(ChatCompletionRequest.Message(role: "assistant", content: reply))
            replies.append(reply)
        }
        return ModelAnswer(questionID: question.questionID, modelID: model, turns: replies)
    }
}
