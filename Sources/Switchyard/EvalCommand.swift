import ArgumentParser
import AsyncHTTPClient
import Eval
import Foundation
import SwitchyardCore

/// MT-Bench-style evaluation through the gateway: answer a question set, judge the answers with a
/// model behind the gateway, report; files in FastChat's llm_judge layout.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "MT-Bench-style evaluation through the gateway: answer questions, judge the answers with a model, report.",
        subcommands: [EvalAnswerCommand.self, EvalJudgeCommand.self, EvalReportCommand.self]
    )
}

/// The gateway a step talks to, and how hard it pushes.
struct EvalGatewayOptions: ParsableArguments {
    @Option(help: "Base URL of the OpenAI-compatible gateway, with or without /v1.")
    var gateway = "http://127.0.0.1:8000"

    @Option(help: "Bearer token to send.")
    var apiKey: String?

    @Option(help: "Requests in flight at once.")
    var concurrency = 8

    @Option(help: "Attempts per request before it is reported as failed (backoff doubles from 0.5 s).")
    var attempts = 4

    func validate() throws {
        guard let url = URL(string: gateway), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--gateway must be an http:// or https:// URL.")
        }
        if !(1...256).contains(concurrency) { throw ValidationError("--concurrency must be from 1 to 256.") }
        if !(1...20).contains(attempts) { throw ValidationError("--attempts must be from 1 to 20.") }
    }

    /// Runs `body` with a client of the gateway, shut down afterwards whatever happens.
    func withClient<Result>(_ body: (ChatClient) async throws -> Result) async throws -> Result {
        // A pairwise judgment asks both orders at once; a request waiting for a free connection
        // fails after the connect timeout, which a slow judge's answers outlast.
        let http = HTTPClient.makeSwitchyardClient(connectTimeout: .seconds(5), connectionsPerHost: 2 * concurrency)
        do {
            let result = try await body(ChatClient(gateway: gateway, apiKey: apiKey, client: http, retry: RetryPolicy(attempts: attempts)))
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// Where the evaluation's files are.
struct EvalDirectoryOption: ParsableArguments {
    @Option(help: ArgumentHelp("Evaluation directory: question.jsonl, model_answer/, model_judgment/ and the charts.", valueName: "dir"))
    var output = "./eval"

    var directory: EvalDirectory { EvalDirectory(path: output) }
}

extension EvalCommand {
    /// A comma-separated list of names, trimmed, empty ones dropped.
    static func names(_ list: String?) -> [String]? {
        list.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// The question set: `--questions` when given, else the copy in the evaluation directory.
    static func questions(_ path: String?, directory: EvalDirectory) throws -> [Question] {
        let path = path ?? directory.questions
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("No questions at \(path): run `switchyard eval answer --questions FILE` first, or give --questions.")
        }
        do { return try Question.load(from: path) } catch let error as EvalError { throw ValidationError(error.description) }
    }

    /// The first failures (each was also reported on standard error as it happened).
    static func printFailures(_ failures: [String]) {
        for failure in failures.prefix(10) { print("  \(failure)") }
        if failures.count > 10 { print("  … and \(failures.count - 10) more") }
    }
}
