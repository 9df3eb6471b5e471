import Foundation
import NIOCore
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
        guard let chunk = (try? JSONValue(parsing: ByteBuffer(bytes: data)))?.object else { return }
        if let error = chunk["error"], error != .null { failed = true }
        if let tokens = Self.completionTokens(in: chunk) { reportedTokens = tokens }
        let contents = chunk["choices"]?.array?.compactMap { $0.object?["delta"]?.object?["content"]?.string }
        guard contents?.contains(where: { !$0.isEmpty }) == true else { return }
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

    /// `usage.completion_tokens` of a reply or chunk. Read with the one-pass parser: with
    /// `JSONDecoder`, reading the usage was a fifth of the load generator's CPU.
    static func completionTokens(in reply: [String: JSONValue]) -> Int? {
        reply["usage"]?.object?["completion_tokens"]?.integer
    }
}
