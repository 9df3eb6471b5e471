import FastChatAdapter
import Foundation
import NIOCore
import SwitchyardCore

/// FastChat's generation parameters (`/worker_generate_stream`, `/worker_generate`), checked as
/// hostile input and mapped onto the backend's OpenAI `/v1/completions`.
///
/// Absent values take FastChat's worker defaults (temperature 1, `max_new_tokens` 256, `echo`
/// true). A wrong type is FastChat's 40001, a value out of range its 40302. Stop strings are
/// matched here as well as by the backend, because OpenAI servers take at most four and FastChat
/// sends its template's and the request's together.
struct FastChatGeneration: Sendable, Equatable {
    var model: String?
    var prompt: String
    var temperature: Double = 1
    var topP: Double = 1
    var topK: Int = -1
    var presencePenalty: Double = 0
    var frequencyPenalty: Double = 0
    var maxNewTokens: Int = 256
    var echo = true
    var logprobs: Int?
    var stop: [String] = []
    var stopTokenIDs: [Int] = []

    /// Generation longer than this is no model's (and no client's sensible request).
    static let maxNewTokensLimit = 1 << 20
    static let maxStops = 16
    /// Longest stop string in UTF-8 bytes.
    static let maxStopLength = 128
    static let maxStopTokenIDs = 64
    /// Stops an OpenAI server accepts in one request.
    static let backendStopLimit = 4

    init(prompt: String) {
        self.prompt = prompt
    }

    init(parsing body: ByteBuffer) throws(FastChatFailure) {
        guard let value = try? JSONValue(parsing: body), let fields = value.object else {
            throw FastChatFailure(.validationTypeError, "The request body must be a JSON object.")
        }
        func present(_ key: String) -> JSONValue? {
            guard let value = fields[key], value != .null else { return nil }
            return value
        }
        func typeError(_ key: String, _ expected: String) -> FastChatFailure {
            FastChatFailure(.validationTypeError, "'\(key)' must be \(expected).")
        }
        func number(_ key: String, in range: ClosedRange<Double>) throws(FastChatFailure) -> Double? {
            guard let value = present(key) else { return nil }
            guard let number = value.number, number.isFinite else { throw typeError(key, "a number") }
            guard range.contains(number) else {
                throw FastChatFailure(.paramOutOfRange, "\(number) is out of range for '\(key)': expected \(range.lowerBound) to \(range.upperBound).")
            }
            return number
        }
        func integer(_ key: String, in range: ClosedRange<Int>) throws(FastChatFailure) -> Int? {
            guard let value = present(key) else { return nil }
            guard let number = value.number, number.isFinite else { throw typeError(key, "an integer") }
            guard number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
                throw FastChatFailure(.paramOutOfRange, "\(number) is out of range for '\(key)': expected \(range.lowerBound) to \(range.upperBound).")
            }
            guard let integer = value.integer else { throw typeError(key, "an integer") }
            return integer
        }

        guard let prompt = present("prompt")?.string else { throw typeError("prompt", "a string") }
        self.init(prompt: prompt)
        if let model = present("model") {
            guard let name = model.string else { throw typeError("model", "a string") }
            self.model = name
        }
        temperature = try number("temperature", in: 0...2) ?? temperature
        topP = try number("top_p", in: 0...1) ?? topP
        presencePenalty = try number("presence_penalty", in: -2...2) ?? presencePenalty
        frequencyPenalty = try number("frequency_penalty", in: -2...2) ?? frequencyPenalty
        topK = try integer("top_k", in: -1...1_000_000) ?? topK
        if topK == 0 {
            throw FastChatFailure(.paramOutOfRange, "0 is out of Range. Either set top_k to -1 or >=1.")
        }
        maxNewTokens = try integer("max_new_tokens", in: 1...Self.maxNewTokensLimit) ?? maxNewTokens
        logprobs = try integer("logprobs", in: 0...20)
        if let echo = present("echo") {
            guard let flag = echo.bool else { throw typeError("echo", "a boolean") }
            self.echo = flag
        }
        switch present("stop") {
        case nil: break
        case .string(let single)?: stop = [single]
        case .array(let items)? where items.allSatisfy({ $0.string != nil }): stop = items.compactMap(\.string)
        default: throw typeError("stop", "a string or a list of strings")
        }
        stop = stop.filter { !$0.isEmpty }
        guard stop.count <= Self.maxStops, stop.allSatisfy({ $0.utf8.count <= Self.maxStopLength }) else {
            throw FastChatFailure(.paramOutOfRange, "'stop' holds at most \(Self.maxStops) strings of at most \(Self.maxStopLength) bytes.")
        }
        if let ids = present("stop_token_ids") {
            guard let items = ids.array else { throw typeError("stop_token_ids", "a list of integers") }
            guard items.count <= Self.maxStopTokenIDs else {
                throw FastChatFailure(.paramOutOfRange, "'stop_token_ids' holds at most \(Self.maxStopTokenIDs) ids.")
            }
            stopTokenIDs = try items.map { item throws(FastChatFailure) in
                guard let id = item.integer, (0...Int(Int32.max)).contains(id) else { throw typeError("stop_token_ids", "a list of token ids") }
                return id
            }
        }
    }

    /// What the backend's `/v1/completions` gets: always streamed with usage, never echoing
    /// (the worker prefixes the prompt itself, so every backend echoes alike).
    func completionsBody(model: String) -> ByteBuffer {
        let request = CompletionsRequest(
            model: model, prompt: prompt, maxTokens: maxNewTokens, temperature: temperature, topP: topP,
            topK: topK > 0 ? topK : nil,
            presencePenalty: presencePenalty != 0 ? presencePenalty : nil,
            frequencyPenalty: frequencyPenalty != 0 ? frequencyPenalty : nil,
            stop: stop.isEmpty ? nil : Array(stop.prefix(Self.backendStopLimit)),
            stopTokenIDs: stopTokenIDs.isEmpty ? nil : stopTokenIDs,
            logprobs: logprobs
        )
        return ByteBuffer(data: (try? JSONEncoder.switchyard.encode(request)) ?? Data())
    }

    /// Tokens in `text` when no tokenizer answers: about four bytes of English a token.
    static func estimatedTokens(_ text: String) -> Int {
        text.utf8.count / 4 + (text.utf8.count % 4 == 0 ? 0 : 1)
    }
}

private struct CompletionsRequest: Encodable {
    struct StreamOptions: Encodable {
        var includeUsage = true
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    var model: String
    var prompt: String
    var stream = true
    var streamOptions = StreamOptions()
    var maxTokens: Int
    var temperature: Double
    var topP: Double
    var topK: Int?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    var stop: [String]?
    var stopTokenIDs: [Int]?
    var logprobs: Int?

    init(
        model: String, prompt: String, maxTokens: Int, temperature: Double, topP: Double, topK: Int?, presencePenalty: Double?,
        frequencyPenalty: Double?, stop: [String]?, stopTokenIDs: [Int]?, logprobs: Int?
    ) {
        self.model = model
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.stop = stop
        self.stopTokenIDs = stopTokenIDs
        self.logprobs = logprobs
    }

    enum CodingKeys: String, CodingKey {
        case model, prompt, stream, temperature, stop, logprobs
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case topK = "top_k"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case stopTokenIDs = "stop_token_ids"
    }
}
