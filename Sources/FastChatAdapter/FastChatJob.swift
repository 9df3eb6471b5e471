import Conversation
import NIOCore
import SwitchyardCore

/// An OpenAI chat or completions request made into the prompts and parameters FastChat's API
/// server would send a FastChat worker: messages laid into the worker's conversation template,
/// FastChat's defaults (temperature 0.7, completions' `max_tokens` 16), `stop` merged with the
/// template's, and, once the worker has counted the prompts' tokens, its context check.
///
/// The request has passed ``RequestValidator`` already; what is refused here is what a FastChat
/// worker cannot take.
public struct FastChatJob: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case chat
        case completion
    }

    public var kind: Kind
    /// The model name the client asked for, which the answer carries.
    public var model: String
    public var stream: Bool
    /// The client asked for the usage chunk (`stream_options.include_usage`).
    public var includeUsage: Bool
    /// Answers per prompt, made by repeated generation as FastChat does.
    public var n: Int
    public var prompts: [String]
    /// The parameters every generation shares; `prompt` is filled per generation.
    public var parameters: FastChatParameters

    /// Stop strings and their count are bounded: the template's come from the worker.
    static let stopLimit = 16
    static let stopLength = 256
    /// What FastChat's API server assumes when `max_tokens` is absent.
    static let unlimitedTokens = 1 << 20

    /// Reads a request for `endpoint` (chat or completions), for a worker serving it as `servedModel`.
    public init(_ body: ByteBuffer, endpoint: Endpoint, template: ConversationTemplate, servedModel: String) throws {
        guard let fields = (try? JSONValue(parsing: body))?.object else {
            throw OpenAIError.badRequest("The request body must be a JSON object.")
        }
        model = fields["model"]?.string ?? servedModel
        stream = fields["stream"]?.bool ?? false
        includeUsage = stream && fields["stream_options"]?["include_usage"]?.bool == true
        n = fields["n"]?.integer ?? 1
        var maxTokens: Int?
        var echo = false
        var logprobs: Int?
        var template = template
        switch endpoint {
        case .chatCompletions:
            kind = .chat
            prompts = [try Self.prompt(from: fields["messages"]?.array ?? [], template: &template)]
            maxTokens = fields["max_completion_tokens"]?.integer ?? fields["max_tokens"]?.integer
        case .completions:
            kind = .completion
            prompts = try Self.texts(fields["prompt"], param: "prompt") ?? [""]
            maxTokens = fields["max_tokens"]?.integer ?? 16
            echo = fields["echo"]?.bool ?? false
            logprobs = fields["logprobs"]?.integer
        case .embeddings:
            throw OpenAIError.badRequest("Embeddings are no generation.", param: "model")
        }
        let topK = fields["top_k"]?.integer ?? -1
        guard topK == -1 || topK >= 1, fields["top_k"].map({ $0 == .null || $0.integer != nil }) ?? true else {
            throw OpenAIError.badRequest("Invalid 'top_k': expected -1 or an integer of at least 1.", param: "top_k", code: "invalid_value")
        }
        var stops = Self.strings(fields["stop"])
        for stop in template.stopStrings.prefix(Self.stopLimit) where !stops.contains(stop) {
            stops.append(String(stop.unicodeScalars.prefix(Self.stopLength)))
        }
        parameters = FastChatParameters(
            model: servedModel,
            prompt: "",
            temperature: fields["temperature"]?.number ?? 0.7,
            topP: fields["top_p"]?.number ?? 1,
            topK: topK,
            presencePenalty: fields["presence_penalty"]?.number ?? 0,
            frequencyPenalty: fields["frequency_penalty"]?.number ?? 0,
            maxNewTokens: maxTokens,
            echo: echo,
            logprobs: logprobs,
            stop: stops,
            stopTokenIDs: template.stopTokenIDs.map { Array($0.prefix(Self.stopLimit * 16)) },
            bestOf: stream ? nil : fields["best_of"]?.integer,
            useBeamSearch: stream ? nil : fields["use_beam_search"]?.bool
        )
    }

    /// The generations to run, in answer order (each prompt `n` times), after FastChat's context
    /// check: `max_new_tokens` is clamped to what the context leaves after the longest prompt, and
    /// a prompt that leaves nothing is refused with both numbers.
    ///
    /// `promptTokens` and `contextLength` come from the worker and are clamped before any arithmetic.
    public func generations(promptTokens: [Int], contextLength: Int) throws -> [FastChatParameters] {
        let context = Self.clampTokens(contextLength)
        var length = parameters.maxNewTokens.flatMap { $0 > 0 ? $0 : nil } ?? Self.unlimitedTokens
        for count in promptTokens.map(Self.clampTokens) {
            let room = context - count
            guard room > 0 else {
                throw OpenAIError.badRequest(
                    "This model's maximum context length is \(context) tokens. However, your \(kind == .chat ? "messages" : "prompt") resulted in \(count) tokens. Please reduce the length of the \(kind == .chat ? "messages" : "prompt").",
                    param: kind == .chat ? "messages" : "prompt", code: "context_length_exceeded"
                )
            }
            length = min(length, room)
        }
        var generations: [FastChatParameters] = []
        for prompt in prompts {
            var generation = parameters
            generation.prompt = prompt
            generation.maxNewTokens = length
            generations += repeatElement(generation, count: n)
        }
        return generations
    }

    static func clampTokens(_ count: Int) -> Int {
        min(max(count, 0), FastChatChunk.tokenLimit)
    }

    /// `stop` as a list, in the request's order.
    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text)?: [text]
        case .array(let items)?: items.compactMap(\.string)
        default: []
        }
    }

    /// A completions prompt or embeddings input as texts; token ids need the model's tokenizer,
    /// which a FastChat worker does not lend (FastChat's server guesses with tiktoken's).
    static func texts(_ value: JSONValue?, param: String) throws -> [String]? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return [text]
        case .array(let items)? where items.allSatisfy({ $0.string != nil }): return items.compactMap(\.string)
        default:
            throw OpenAIError.badRequest(
                "Invalid '\(param)': this model's worker speaks FastChat's protocol, which takes text only; send text instead of token ids.",
                param: param, code: "invalid_value"
            )
        }
    }
}
