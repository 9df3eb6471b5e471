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

    /// Largest token count believed from a worker: more than any context, small enough that
    /// sums over 2048 answers cannot overflow.
    public static let tokenLimit = 1 << 32

    public init(text: String, errorCode: Int = 0, usage: Usage? = nil, finishReason: String? = nil) {
        self.text = text
        self.errorCode = errorCode
        self.usage = usage
        self.finishReason = finishReason
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
