import NIOCore
import SwitchyardCore

/// One object of a FastChat worker's answer (a `/worker_generate_stream` piece or the whole
/// `/worker_generate` body), with every number bounded: the worker is an outside peer.
public struct FastChatChunk: Sendable, Equatable {
    /// Cumulative output so far, not a delta.
    public var text: String
    public var errorCode: Int
    public var usage: Usage?
    /// `stop`, `length`, `abort` or whatever the worker says; nil while it goes on.
    public var finishReason: String?
    /// Per-token detail, when the generation asked for it and the worker is well-formed.
    public var logprobs: TextCompletion.Logprobs?

    /// Largest token count believed from a worker: more than any context, small enough that
    /// sums over 2048 answers cannot overflow.
    public static let tokenLimit = 1 << 32

    /// Most tokens whose logprobs are believed from a worker.
    public static let logprobsLimit = 1 << 16

    public init(text: String, errorCode: Int = 0, usage: Usage? = nil, finishReason: String? = nil, logprobs: TextCompletion.Logprobs? = nil) {
        self.text = text
        self.errorCode = errorCode
        self.usage = usage
        self.finishReason = finishReason
        self.logprobs = logprobs
    }

    /// Reads one object; anything that is not FastChat's shape is a worker failure.
    public init(parsing bytes: ByteBuffer) throws(FastChatWorkerFailure) {
        guard let value = try? JSONValue(parsing: bytes), let fields = value.object else {
            throw FastChatWorkerFailure("The worker sent something that is not a JSON object.")
        }
        // `text` may be absent in an error object; a non-string is not FastChat's.
        switch fields["text"] {
        case .string(let text)?: self.text = text
        case nil, .null?: self.text = ""
        default: throw FastChatWorkerFailure("The worker's text is not a string.")
        }
        switch fields["error_code"] {
        case nil, .null?: errorCode = 0
        case let code?:
            guard let number = code.integer else { throw FastChatWorkerFailure("The worker's error code is not an integer.") }
            errorCode = number
        }
        usage = fields["usage"].flatMap(Self.usage(in:))
        switch fields["finish_reason"] {
        case .string(let reason)?: finishReason = reason.clipped(toUTF8Count: 64)
        // vLLM with several outputs reports a list; one request asks for one output.
        case .array(let reasons)?: finishReason = reasons.first?.string?.clipped(toUTF8Count: 64)
        default: finishReason = nil
        }
        logprobs = fields["logprobs"].flatMap(Self.logprobs(in:))
    }

    /// FastChat's `{text_offset, tokens, token_logprobs, top_logprobs}`, or nil when it is not
    /// that shape (a worker's malformed logprobs are dropped, not the answer): the lists must be
    /// as long as `tokens`, numbers finite, offsets within token range; `top_logprobs` of
    /// another length becomes nulls.
    static func logprobs(in value: JSONValue) -> TextCompletion.Logprobs? {
        func finite(_ value: JSONValue) -> Double? {
            value.number.flatMap { $0.isFinite ? $0 : nil }
        }
        guard let items = value["tokens"]?.array, items.count <= logprobsLimit,
            let offsets = value["text_offset"]?.array, let values = value["token_logprobs"]?.array,
            offsets.count == items.count, values.count == items.count
        else { return nil }
        let tokens = items.compactMap(\.string)
        let textOffset = offsets.compactMap { finite($0).map { Int(Swift.min(Swift.max($0, 0), Double(tokenLimit))) } }
        guard tokens.count == items.count, textOffset.count == items.count,
            values.allSatisfy({ $0 == .null || finite($0) != nil })
        else { return nil }
        let tops = value["top_logprobs"]?.array ?? []
        let topLogprobs: [[String: Double]?] =
            tops.count == items.count
            ? tops.map { $0.object?.compactMapValues(finite) }
            : Array(repeating: nil, count: items.count)
        return .init(textOffset: textOffset, tokens: tokens, tokenLogprobs: values.map(finite), topLogprobs: topLogprobs)
    }

    /// Token counts clamped to `0...tokenLimit`; the total is recomputed, never believed.
    static func usage(in value: JSONValue) -> Usage? {
        func count(_ key: String) -> Int? {
            guard let number = value[key]?.number, number.isFinite else { return nil }
            return Int(Swift.min(Swift.max(number, 0), Double(tokenLimit)))
        }
        guard let prompt = count("prompt_tokens"), let completion = count("completion_tokens") else { return nil }
        return Usage(promptTokens: prompt, completionTokens: completion)
    }
}

/// A FastChat worker broke its protocol (not JSON, an endless object): the gateway's 502.
public struct FastChatWorkerFailure: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }

    public var openAIError: OpenAIError { .badGateway(message) }
}
