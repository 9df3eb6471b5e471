import Foundation
import NIOCore
import SwitchyardCore

/// Writes a FastChat worker's answers as OpenAI's: stream chunks one generation after another
/// (each generation is one choice), or one body for non-streamed answers.
///
/// Unlike FastChat's API server, chunks carry every field OpenAI's do, each choice's finish chunk
/// follows its last text, the usage chunk comes when the client asked for it, and a worker's
/// error after the first byte is an OpenAI error event.
public struct FastChatTranscoder: Sendable {
    /// What one worker object came to, for the caller reading the worker.
    public enum Step: Sendable, Equatable {
        /// Bytes for the client (possibly none); the generation goes on.
        case more(ByteBuffer)
        /// The generation ended: its last bytes for the client; the rest of the worker's body is unneeded.
        case finished(ByteBuffer)
        /// The worker failed; `retryable` says whether another worker may try (before the first byte only).
        case failed(OpenAIError, retryable: Bool)
    }

    public let kind: FastChatJob.Kind
    public let id: String
    public let created: Int
    public let model: String
    public let includeUsage: Bool
    public let errors: FastChatErrorTable

    private var index = 0
    private var text = GenerationText(stopStrings: [])
    private var finishReason: String?
    private var generationUsage: Usage?
    private var total: Usage?
    /// Completions with `logprobs`: the worker's latest (cumulative, as FastChat's HF worker
    /// sends them) and how many tokens of them the client has; each text chunk carries the rest.
    private var wantsLogprobs = false
    private var logprobs: TextCompletion.Logprobs?
    private var logprobsSent = 0

    public init(job: FastChatJob, id: String, created: Int, errors: FastChatErrorTable = .standard) {
        self.kind = job.kind
        self.id = id
        self.created = created
        self.model = job.model
        self.includeUsage = job.includeUsage
        self.errors = errors
    }

    /// Starts choice `index` of generation `parameters`: a chat choice opens with its role.
    public mutating func begin(_ parameters: FastChatParameters, index: Int) -> ByteBuffer {
        self.index = index
        // An echoed prompt may hold a stop string that is no stop.
        text = GenerationText(stopStrings: parameters.echo ? [] : parameters.stop)
        finishReason = nil
        generationUsage = nil
        wantsLogprobs = kind == .completion && parameters.logprobs != nil
        logprobs = nil
        logprobsSent = 0
        return kind == .chat ? event(delta: .init(role: "assistant", content: "")) : ByteBuffer()
    }

    /// Reads one worker object of the current generation.
    public mutating func consume(_ chunk: FastChatChunk) -> Step {
        if let failure = failure(in: chunk) { return .failed(failure.error, retryable: failure.retryable) }
        if let usage = chunk.usage { generationUsage = usage }
        if wantsLogprobs, let latest = chunk.logprobs, latest.tokens.count >= logprobsSent { logprobs = latest }
        let delta = text.delta(for: chunk.text)
        var bytes = delta.isEmpty ? ByteBuffer() : event(text: delta)
        if text.stopped || chunk.finishReason != nil {
            finishReason = text.stopped ? "stop" : chunk.finishReason
            bytes.writeImmutableBuffer(finishGeneration())
            return .finished(bytes)
        }
        return .more(bytes)
    }

    /// The worker's body ended before a finish reason: what was held back, and a `stop` finish.
    public mutating func endOfBody() -> ByteBuffer {
        finishGeneration()
    }

    /// After the last generation: the usage chunk if asked for, and `[DONE]`.
    public func end() -> ByteBuffer {
        var bytes = ByteBuffer()
        if includeUsage, let total {
            bytes.writeImmutableBuffer(kind == .chat
                ? Self.event(ChatCompletionChunk(id: id, created: created, model: model, choices: [], usage: total))
                : Self.event(TextCompletion(id: id, created: created, model: model, choices: [], usage: total)))
        }
        bytes.writeImmutableBuffer(.serverSentEventsDone)
        return bytes
    }

    /// A failure after the first byte: one error event and the end, as OpenAI's SDK expects.
    public static func errorEvent(_ error: OpenAIError) -> ByteBuffer {
        var bytes = ByteBuffer.serverSentEvent(error.jsonBody())
        bytes.writeImmutableBuffer(.serverSentEventsDone)
        return bytes
    }

    /// The non-streamed body from each generation's `/worker_generate` answer, in choice order;
    /// the first failed generation fails the whole request, as in FastChat.
    public mutating func body(_ answers: [(FastChatParameters, FastChatChunk)]) throws(FastChatBodyFailure) -> ByteBuffer {
        var chatChoices: [ChatCompletion.Choice] = []
        var textChoices: [TextCompletion.Choice] = []
        for (index, (parameters, chunk)) in answers.enumerated() {
            if let failure = failure(in: chunk) { throw FastChatBodyFailure(error: failure.error, retryable: failure.retryable) }
            let (answer, stopped) = GenerationText.answer(chunk.text, stopStrings: parameters.echo ? [] : parameters.stop)
            let reason = Self.openAIFinishReason(stopped ? "stop" : chunk.finishReason)
            if let usage = chunk.usage { add(usage) }
            chatChoices.append(.init(index: index, message: .init(content: answer), finishReason: reason))
            // As FastChat's server: the worker's logprobs as they are, when the client asked.
            let logprobs = parameters.logprobs == nil ? nil : chunk.logprobs
            textChoices.append(.init(text: answer, index: index, logprobs: logprobs, finishReason: reason))
        }
        let usage = total ?? Usage(promptTokens: 0, completionTokens: 0)
        let data =
            kind == .chat
            ? try? JSONEncoder.switchyard.encode(ChatCompletion(id: id, created: created, model: model, choices: chatChoices, usage: usage))
            : try? JSONEncoder.switchyard.encode(TextCompletion(id: id, created: created, model: model, choices: textChoices, usage: usage))
        return ByteBuffer(data: data ?? Data())
    }

    /// OpenAI's finish reasons are a closed set; FastChat's `stop` and `length` are in it.
    static func openAIFinishReason(_ reason: String?) -> String {
        reason == "length" ? "length" : "stop"
    }

    private func failure(in chunk: FastChatChunk) -> (error: OpenAIError, retryable: Bool)? {
        if chunk.errorCode != 0 { return errors.error(code: chunk.errorCode, text: chunk.text) }
        // vLLM's worker aborts a request it dropped; FastChat's server answers that with a 500.
        if chunk.finishReason == "abort" { return (.badGateway("The worker aborted the generation."), true) }
        return nil
    }

    private mutating func finishGeneration() -> ByteBuffer {
        let rest = text.finish()
        var bytes = rest.isEmpty ? ByteBuffer() : event(text: rest)
        if let generationUsage { add(generationUsage) }
        generationUsage = nil
        let reason = Self.openAIFinishReason(finishReason)
        // Tokens that brought no text (the worker's finish object) come with the finish.
        bytes.writeImmutableBuffer(kind == .chat ? event(delta: .init(), finishReason: reason) : event(completion: "", finishReason: reason, logprobs: unsentLogprobs()))
        return bytes
    }

    private mutating func add(_ usage: Usage) {
        let sum = total.map { Usage(promptTokens: $0.promptTokens + usage.promptTokens, completionTokens: $0.completionTokens + usage.completionTokens) }
        total = sum ?? usage
    }

    private mutating func event(text: String) -> ByteBuffer {
        kind == .chat ? event(delta: .init(content: text)) : event(completion: text, finishReason: nil, logprobs: unsentLogprobs())
    }

    /// The tokens of the worker's logprobs the client has not had yet.
    private mutating func unsentLogprobs() -> TextCompletion.Logprobs? {
        guard let logprobs, logprobs.tokens.count > logprobsSent else { return nil }
        let new = logprobsSent..<logprobs.tokens.count
        logprobsSent = logprobs.tokens.count
        return .init(
            textOffset: Array(logprobs.textOffset[new]), tokens: Array(logprobs.tokens[new]),
            tokenLogprobs: Array(logprobs.tokenLogprobs[new]), topLogprobs: Array(logprobs.topLogprobs[new])
        )
    }

    private func event(delta: ChatCompletionChunk.Delta, finishReason: String? = nil) -> ByteBuffer {
        Self.event(ChatCompletionChunk(id: id, created: created, model: model, choices: [.init(index: index, delta: delta, finishReason: finishReason)]))
    }

    private func event(completion text: String, finishReason: String?, logprobs: TextCompletion.Logprobs? = nil) -> ByteBuffer {
        Self.event(TextCompletion(id: id, created: created, model: model, choices: [.init(text: text, index: index, logprobs: logprobs, finishReason: finishReason)]))
    }

    static func event(_ value: some Encodable) -> ByteBuffer {
        .serverSentEvent((try? JSONEncoder.switchyard.encode(value)) ?? Data())
    }
}

/// A non-streamed answer's failure, with whether another worker may try.
public struct FastChatBodyFailure: Error, Sendable {
    public var error: OpenAIError
    public var retryable: Bool
}
