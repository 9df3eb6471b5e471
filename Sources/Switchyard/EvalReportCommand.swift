import ArgumentParser
import Eval
import Foundation

struct EvalReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show the judgments as FastChat's show_result.py does (mean scores, win rates) and write a category bar chart as SVG."
    )

    @Option(help: "single, pairwise-baseline or pairwise-all.")
    var mode: JudgeMode = .single

    @Option(help: ArgumentHelp("The judge whose judgments to show (default: the only one in the directory).", valueName: "model"))
    var judge: String?

    @Option(help: ArgumentHelp("For pairwise-baseline: the baseline model.", valueName: "model"))
    var baseline: String?

    @Option(help: ArgumentHelp("Only these models, comma-separated.", valueName: "a,b,…"))
    var models: String?

    @Option(help: ArgumentHelp("Question file, for the categories (default: the copy in the directory).", valueName: "file"))
    var questions: String?

    @OptionGroup var directory: EvalDirectoryOption

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if (mode == .pairwiseBaseline) != (baseline != nil) {
            throw ValidationError("--baseline goes with --mode pairwise-baseline, and that mode needs it.")
        }
    }

    func run() async throws {
        let directory = self.directory.directory
        let questions = try EvalCommand.questions(self.questions, directory: directory)
        let suffix = mode.isPairwise ? "_pair.jsonl" : "_single.jsonl"
        let judge = try self.judge ?? Self.onlyJudge(in: directory, suffix: suffix)
        let path = mode.isPairwise ? directory.pairJudgments(by: judge) : directory.singleJudgments(by: judge)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("No judgments at \(path): run `switchyard eval judge --judge \(judge) --mode \(mode.rawValue)` first.")
        }
        let models = EvalCommand.names(self.models)
        let report: EvalReport
        if mode.isPairwise {
            report = .pairwise(try JSONLines.read(PairJudgment.self, at: path).values, questions: questions, judge: judge, baseline: baseline, models: models)
        } else {
            report = .single(try JSONLines.read(SingleJudgment.self, at: path).values, questions: questions, judge: judge, models: models)
        }
        let chart = directory.chart("\(mode.rawValue)-\(EvalDirectory.fileName(judge))")
        try CategoryChart(report: report).svg.write(toFile: chart, atomically: true, encoding: .utf8)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
            print("\nChart: \(chart)")
        }
    }

    /// The judge of the only judgment file of this mode.
    static func onlyJudge(in directory: EvalDirectory, suffix: String) throws -> String {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.judgmentDirectory)) ?? []).filter { $0.hasSuffix(suffix) }
        guard files.count == 1, let file = files.first else {
            throw ValidationError(files.isEmpty
                ? "No *\(suffix) judgments in \(directory.judgmentDirectory): run `switchyard eval judge` first."
                : "Several judges in \(directory.judgmentDirectory) (\(files.sorted().joined(separator: ", "))): choose one with --judge.")
        }
        let fromFile = String(file.dropLast(suffix.count))
        // The lines carry the judge's real name; the file name may be a cleaned form of it.
        let path = directory.judgmentDirectory + "/" + file
        let judge: String? =
            suffix == "_pair.jsonl"
            ? try JSONLines.read(PairJudgment.self, at: path).values.first?.judge.model
            : try JSONLines.read(SingleJudgment.self, at: path).values.first?.judge.model
        return judge ?? fromFile
    }
}
