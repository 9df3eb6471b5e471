import ArgumentParser
import Eval
import Foundation

extension JudgeMode: ExpressibleByArgument {}

struct EvalJudgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Judge the answers with a model behind the gateway, MT-Bench style: 1–10 grades or pairwise verdicts in both orders; resumes where the last run stopped."
    )

    @Option(help: ArgumentHelp("The judge: any model the gateway serves.", valueName: "model"))
    var judge: String

    @Option(help: "single (1–10 grades), pairwise-baseline (each model against --baseline) or pairwise-all (every pair).")
    var mode: JudgeMode = .single

    @Option(help: ArgumentHelp("The model every other is compared with in pairwise-baseline mode.", valueName: "model"))
    var baseline: String?

    @Option(help: ArgumentHelp("Models to judge, comma-separated (default: every model with answers).", valueName: "a,b,…"))
    var models: String?

    @Option(help: ArgumentHelp("Question file (default: the copy `eval answer` keeps in the directory).", valueName: "file"))
    var questions: String?

    @OptionGroup var gateway: EvalGatewayOptions

    @OptionGroup var directory: EvalDirectoryOption

    @Option(help: "max_tokens of each judgment.")
    var maxTokens = 2048

    func validate() throws {
        if (mode == .pairwiseBaseline) != (baseline != nil) {
            throw ValidationError("--baseline goes with --mode pairwise-baseline, and that mode needs it.")
        }
        if !(1...1_000_000).contains(maxTokens) { throw ValidationError("--max-tokens must be from 1 to 1000000.") }
    }

    func run() async throws {
        let directory = self.directory.directory
        let questions = try EvalCommand.questions(self.questions, directory: directory)
        let answers = try Self.answers(in: directory)
        var models = EvalCommand.names(self.models) ?? answers.keys.sorted()
        if let baseline, !models.contains(baseline) { models.append(baseline) }
        if let unknown = models.first(where: { answers[$0] == nil }) {
            throw ValidationError("No answers of \(unknown) in \(directory.answerDirectory): run `switchyard eval answer` for it first.")
        }
        if mode.isPairwise && models.count < 2 { throw ValidationError("Pairwise judging needs answers of two or more models.") }
        if models.isEmpty { throw ValidationError("No answers in \(directory.answerDirectory): run `switchyard eval answer` first.") }

        let plan = JudgeMatch.plan(mode: mode, questions: questions, models: models, baseline: baseline, answers: answers)
        for missing in plan.missing { FileHandle.standardError.write(Data("No answer to judge: \(missing)\n".utf8)) }
        let run = JudgeRun(judge: judge, mode: mode, matches: plan.matches, directory: directory, concurrency: gateway.concurrency, maxTokens: maxTokens)
        let summary = try await gateway.withClient { client in
            try await run.run(client: client) { ProgressReporter(label: "judge", total: $0) }
        }
        print("Judgments: \(summary.written) written, \(summary.skipped) already there, \(summary.unparseable) unparseable verdict\(summary.unparseable == 1 ? "" : "s") (recorded as FastChat does: score -1, winner \"error\"), \(summary.failures.count) failed; in \(run.path)")
        if !summary.failures.isEmpty {
            print("Failed (not recorded; run the same command again to retry them):")
            EvalCommand.printFailures(summary.failures)
            throw ExitCode(1)
        }
    }

    /// Every model's answers by question id, from the lines of its file (the file name may be a
    /// cleaned form of the model name); a line cut by an interrupted run is skipped.
    static func answers(in directory: EvalDirectory) throws -> [String: [Int: ModelAnswer]] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.answerDirectory)) ?? []
        var answers: [String: [Int: ModelAnswer]] = [:]
        for file in files.sorted() where file.hasSuffix(".jsonl") {
            for answer in try JSONLines.read(ModelAnswer.self, at: directory.answerDirectory + "/" + file).values {
                answers[answer.modelID, default: [:]][answer.questionID] = answer
            }
        }
        return answers
    }
}
