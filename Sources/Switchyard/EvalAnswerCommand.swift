import ArgumentParser
import Eval
import Foundation

struct EvalAnswerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer",
        abstract: "Answer a question file (FastChat's MT-Bench question.jsonl) with each model through the gateway; resumes where the last run stopped."
    )

    @Option(help: ArgumentHelp("Questions as JSON lines: question_id, category, turns, optional reference (e.g. seeds/mt-bench-questions.jsonl).", valueName: "file"))
    var questions: String

    @Option(help: ArgumentHelp("Models to answer, comma-separated.", valueName: "a,b,…"))
    var models: String

    @OptionGroup var gateway: EvalGatewayOptions

    @OptionGroup var directory: EvalDirectoryOption

    @Option(help: "max_tokens of each answer turn.")
    var maxTokens = 1024

    func validate() throws {
        if EvalCommand.names(models)?.isEmpty ?? true { throw ValidationError("--models needs at least one name.") }
        if !(1...1_000_000).contains(maxTokens) { throw ValidationError("--max-tokens must be from 1 to 1000000.") }
    }

    func run() async throws {
        let directory = self.directory.directory
        let questions = try EvalCommand.questions(self.questions, directory: directory)
        try Self.keepQuestions(from: self.questions, in: directory)
        let run = AnswerRun(questions: questions, models: EvalCommand.names(models) ?? [], directory: directory, concurrency: gateway.concurrency, maxTokens: maxTokens)
        let summary = try await gateway.withClient { client in
            try await run.run(client: client) { ProgressReporter(label: "answer", total: $0) }
        }
        print("Answers: \(summary.written) written, \(summary.skipped) already there, \(summary.failures.count) failed; in \(directory.answerDirectory)")
        if !summary.failures.isEmpty {
            print("Failed (left unanswered; run the same command again to retry them):")
            EvalCommand.printFailures(summary.failures)
            throw ExitCode(1)
        }
    }

    /// Copies the question file into the directory, where judge and report read it; a directory
    /// already holding other questions is refused rather than mixed.
    static func keepQuestions(from path: String, in directory: EvalDirectory) throws {
        let source = try Data(contentsOf: URL(fileURLWithPath: path))
        if let kept = FileManager.default.contents(atPath: directory.questions) {
            guard kept == source else {
                throw ValidationError("\(directory.questions) holds other questions than \(path): use another --output directory.")
            }
            return
        }
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        try source.write(to: URL(fileURLWithPath: directory.questions))
    }
}
