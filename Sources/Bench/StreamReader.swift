import Foundation
import SwitchyardCore

/// Times one streamed reply from its server-sent events: first content token, gaps between
/// content chunks, token count (the usage chunk's when the server sends one), and whether the
/// stream ended properly.
struct StreamReader: Sendable {
    let started: ContinuousClock.Instant
    private var firstToken: ContinuousClock.Instant?
    private var lastToken: ContinuousClock.Instant?
    private var gaps: [Duration] = []
    private var contentChunks = 0
    private var reportedTokens: Int?
    private var failed = false
    private var done = false

    init(started: ContinuousClock.Instant) {
        self.started = started
    }

    mutating func read(_ data: [UInt8], at time: ContinuousClock.Instant) {
        if data.elementsEqual("[DONE]".utf8) {
            done = true
            return
        }
        guard let chunk = try? JSONDecoder().decode(Chunk.self, from: Data(data)) else { return }
        if chunk.error != nil { failed = true }
        if let tokens = chunk.usage?.completionTokens { reportedTokens = tokens }
        guard chunk.choices?.contains(where: { !($0.delta?.content ?? "").isEmpty }) == true else { return }
        if let lastToken { gaps.append(time - lastToken) } else { firstToken = time }
        lastToken = time
        contentChunks += 1
    }

    func sample(finishedAt time: ContinuousClock.Instant) -> BenchSample {
        guard done, !failed else {
            return BenchSample(error: failed ? "stream_error" : "truncated", latency: time - started)
        }
        return BenchSample(
            latency: time - started,
            timeToFirstToken: firstToken.map { $0 - started },
            tokenGaps: gaps,
            outputTokens: reportedTokens ?? contentChunks
        )
    }

    /// Only what timing needs from a chunk.
    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable { var content: String? }
            var delta: Delta?
        }
        struct Failure: Decodable { var message: String? }
        var choices: [Choice]?
        var usage: Usage?
        var error: Failure?
    }
}
