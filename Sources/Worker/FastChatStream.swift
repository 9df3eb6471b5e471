import Foundation
import NIOCore
import SwitchyardCore

/// Turns a backend's OpenAI `/v1/completions` stream into FastChat's worker stream: JSON objects
/// each followed by a NUL byte, whose `text` is cumulative (the prompt first when echoing), with
/// `usage` in every one and `finish_reason` on the last. Pure: the worker feeds it the payloads
/// of the backend's server-sent events and writes what it returns.
///
/// Stop strings are matched here (the backend sees only four); a chunk whose text ends in the
/// beginning of a stop string is held back, as FastChat's workers do. Cumulative text makes the
/// output grow with the square of its length, so once ``byteBudget`` bytes have been written a
/// chunk waits until the text has grown by an eighth: the total stays within the budget plus nine
/// times the final text, whatever the prompt's size.
struct FastChatStream: Sendable {
    private let prefix: String
    private let stops: [[UInt8]]
    private let byteBudget: Int
    private var generated: [UInt8] = []
    private var deltas = 0
    private var estimatedPromptTokens: Int
    private var reportedUsage: Usage?
    private var backendFinish: String?
    private var lastEmittedLength = 0
    private var written = 0
    /// Unicode scalars in the text so far, for logprobs' offsets.
    private var scalars: Int
    /// A stop string was found: the text is final and the backend need not be read further.
    private(set) var isStopped = false
    /// The backend reported an error in its stream.
    private(set) var failure: FastChatFailure?
    /// Gathered when the request asked for logprobs.
    private(set) var logprobs: FastChatLogprobs?

    /// Largest token count believed from a backend.
    static let tokenLimit = 1 << 32

    init(prompt: String, echo: Bool, stops: [String], logprobs: Bool = false, byteBudget: Int = 16 << 20) {
        self.prefix = echo ? prompt : ""
        self.logprobs = logprobs ? FastChatLogprobs() : nil
        self.scalars = self.prefix.unicodeScalars.count
        self.stops = stops.map { Array($0.utf8) }.filter { !$0.isEmpty }
        self.byteBudget = byteBudget
        self.estimatedPromptTokens = FastChatGeneration.estimatedTokens(prompt)
    }

    /// The text so far: the echoed prompt and what the model generated.
    var text: String { prefix + String(decoding: generated, as: UTF8.self) }

    var usage: Usage {
        let prompt = min(reportedUsage?.promptTokens ?? estimatedPromptTokens, Self.tokenLimit)
        let completion = min(isStopped ? deltas : reportedUsage?.completionTokens ?? deltas, Self.tokenLimit)
        return Usage(promptTokens: prompt, completionTokens: completion)
    }

    var finishReason: String {
        isStopped ? "stop" : backendFinish == "length" ? "length" : "stop"
    }

    /// Takes one event's payload; returns the chunk to send, if one is due.
    mutating func receive(_ payload: [UInt8]) -> ByteBuffer? {
        guard !isStopped, failure == nil, payload != Array("[DONE]".utf8) else { return nil }
        guard let event = try? JSONValue(parsing: ByteBuffer(bytes: payload)) else {
            failure = .backend("The backend sent an event that is not JSON.")
            return nil
        }
        if let error = event["error"] {
            failure = .backend(error["message"]?.string ?? "The backend failed.")
            return nil
        }
        if let usage = event["usage"], let prompt = usage["prompt_tokens"]?.integer, let completion = usage["completion_tokens"]?.integer {
            reportedUsage = Usage(promptTokens: Self.clamp(prompt), completionTokens: Self.clamp(completion))
        }
        guard let choice = event["choices"]?.array?.first else { return nil }
        if let reason = choice["finish_reason"]?.string { backendFinish = reason }
        guard let delta = choice["text"]?.string, !delta.isEmpty else { return nil }
        deltas += 1
        if logprobs != nil, let tokens = choice["logprobs"], tokens != .null {
            logprobs?.append(tokens, at: scalars)
        }
        scalars += delta.unicodeScalars.count
        let searchFrom = max(0, generated.count - (stops.map(\.count).max() ?? 1) + 1)
        generated.append(contentsOf: delta.utf8)
        if let cut = firstStop(from: searchFrom) {
            generated.removeSubrange(cut...)
            isStopped = true
            return nil
        }
        guard !endsInPartialStop else { return nil }
        let length = emittedLength
        guard written + length <= byteBudget || (length - lastEmittedLength) * 8 >= lastEmittedLength else { return nil }
        return chunk(finishReason: nil)
    }

    /// About the bytes a chunk carries: the text, and a few dozen a token of logprobs.
    private var emittedLength: Int {
        prefix.utf8.count + generated.count + (logprobs?.tokens.count ?? 0) * 64
    }

    /// Ends the text with a failure (the backend's stream broke), unless one is already recorded.
    mutating func fail(_ failure: FastChatFailure) {
        if self.failure == nil { self.failure = failure }
    }

    /// The last chunk, with the finish reason.
    mutating func finish() -> ByteBuffer {
        chunk(finishReason: finishReason)
    }

    private mutating func chunk(finishReason: String?) -> ByteBuffer {
        let object = Chunk(text: text, usage: usage, finishReason: finishReason, logprobs: logprobs)
        var buffer = ByteBuffer(data: (try? JSONEncoder().encode(object)) ?? Data())
        buffer.writeInteger(UInt8(0))
        lastEmittedLength = emittedLength
        written += buffer.readableBytes
        return buffer
    }

    /// A failure as the NUL-terminated error object FastChat's streams end with.
    static func errorChunk(_ failure: FastChatFailure) -> ByteBuffer {
        var buffer = failure.json
        buffer.writeInteger(UInt8(0))
        return buffer
    }

    private func firstStop(from start: Int) -> Int? {
        var earliest: Int?
        for stop in stops where generated.count >= stop.count {
            var index = start
            while index + stop.count <= generated.count, index < (earliest ?? .max) {
                if generated[index..<(index + stop.count)].elementsEqual(stop) {
                    earliest = index
                    break
                }
                index += 1
            }
        }
        return earliest
    }

    private var endsInPartialStop: Bool {
        stops.contains { stop in
            (1..<stop.count).contains { length in
                length <= generated.count && generated.suffix(length).elementsEqual(stop.prefix(length))
            }
        }
    }

    private static func clamp(_ count: Int) -> Int {
        min(max(count, 0), tokenLimit)
    }

    private struct Chunk: Encodable {
        var text: String
        var errorCode = 0
        var usage: Usage
        @ExplicitNull var finishReason: String?
        var logprobs: FastChatLogprobs?

        init(text: String, usage: Usage, finishReason: String?, logprobs: FastChatLogprobs?) {
            self.text = text
            self.usage = usage
            self.finishReason = finishReason
            self.logprobs = logprobs
        }

        enum CodingKeys: String, CodingKey {
            case text, usage, logprobs
            case errorCode = "error_code"
            case finishReason = "finish_reason"
        }
    }
}
