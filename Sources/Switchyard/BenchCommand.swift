import ArgumentParser
import Bench
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test any OpenAI-compatible endpoint: throughput, latency percentiles, time to first token."
    )

    @Option(help: "Base URL of an OpenAI-compatible API (ours or anyone's), with or without /v1.")
    var url: String

    @Option(help: "Model to ask for.")
    var model: String

    @Option(help: "Closed loop: requests in flight at all times.")
    var concurrency: Int = 1

    @Option(help: "Open loop: requests started per second, whatever the replies (overrides the closed loop).")
    var rate: Double?

    @Option(help: "Measured requests (default 100 unless --duration is given).")
    var requests: Int?

    @Option(help: "Seconds to run, instead of or on top of --requests.")
    var duration: Double?

    @Option(help: "Unmeasured requests first, to open connections.")
    var warmup: Int = 0

    @Flag(help: "Stream the replies (measures time to first token and inter-token latency).")
    var stream = false

    @Option(help: "max_tokens of every request.")
    var maxTokens: Int?

    @Option(help: "JSON lines of {\"messages\": [...]} to send in turn (e.g. seeds/prompts.jsonl).")
    var prompts: String?

    @Option(help: "Bearer token to send.")
    var apiKey: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive.") }
        if let requests, requests < 1 { throw ValidationError("--requests must be at least 1.") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive.") }
        if warmup < 0 { throw ValidationError("--warmup must not be negative.") }
    }

    func run() async throws {
        let configuration = BenchConfiguration(
            url: url,
            model: model,
            concurrency: concurrency,
            rate: rate,
            requests: requests ?? (duration == nil ? 100 : nil),
            duration: duration.map { .seconds(fractional: $0) },
            warmup: warmup,
            stream: stream,
            maxTokens: maxTokens,
            prompts: try prompts.map(Self.loadPrompts) ?? BenchConfiguration(url: url, model: model).prompts,
            apiKey: apiKey
        )
        let report = try await BenchRunner(configuration: configuration).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.render(report, configuration: configuration))
        }
    }

    static func loadPrompts(_ path: String) throws -> [[BenchMessage]] {
        struct Line: Decodable { var messages: [BenchMessage] }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("Cannot read prompts from \(path).")
        }
        let prompts = try text.split(separator: "\n").enumerated().compactMap { number, line -> [BenchMessage]? in
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            do {
                return try JSONDecoder().decode(Line.self, from: Data(line.utf8)).messages
            } catch {
                throw ValidationError("\(path):\(number + 1): expected {\"messages\": [...]}.")
            }
        }
        guard !prompts.isEmpty else { throw ValidationError("\(path) has no prompts.") }
        return prompts
    }

    static func render(_ report: BenchReport, configuration: BenchConfiguration) -> String {
        func row(_ name: String, _ distribution: BenchReport.Distribution) -> String {
            "  " + name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: "p50 %8.2f ms   p90 %8.2f ms   p99 %8.2f ms", distribution.p50, distribution.p90, distribution.p99)
        }
        let mode = configuration.rate.map { String(format: "open loop, %.1f req/s", $0) } ?? "concurrency \(configuration.concurrency)"
        var lines = [
            "\(configuration.url)  model \(configuration.model)  \(mode)  \(configuration.stream ? "streaming" : "non-streaming")",
            String(format: "  requests %d ok / %d sent in %.2f s: %.1f req/s, %.1f output tokens/s",
                   report.succeeded, report.requests, report.seconds, report.requestsPerSecond, report.outputTokensPerSecond),
            row("latency", report.latency),
        ]
        if let ttft = report.timeToFirstToken { lines.append(row("time to first token", ttft)) }
        if let itl = report.interTokenLatency { lines.append(row("inter-token latency", itl)) }
        if !report.errors.isEmpty {
            lines.append("  errors: " + report.errors.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", "))
        }
        lines.append(String(format: "  bench CPU: %.2f cores (near the core count means the load generator was the bottleneck)", report.benchCPUCores))
        return lines.joined(separator: "\n")
    }
}
