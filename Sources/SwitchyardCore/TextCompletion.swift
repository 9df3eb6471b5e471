/// A legacy `/v1/completions` answer or stream chunk: both use `object: "text_completion"`.
public struct TextCompletion: Codable, Sendable, Equatable {
    /// Per-token detail a completions client asked for with `logprobs`, in OpenAI's legacy
    /// shape: parallel lists, one entry per token.
    public struct Logprobs: Codable, Sendable, Equatable {
        public var textOffset: [Int]
        public var tokens: [String]
        /// Null where the model gave none (the first token of an echoed prompt).
        public var tokenLogprobs: [Double?]
        /// The likeliest alternatives per token; FastChat's HF worker sends empty ones.
        public var topLogprobs: [[String: Double]?]

        public init(textOffset: [Int], tokens: [String], tokenLogprobs: [Double?], topLogprobs: [[String: Double]?]) {
            self.textOffset = textOffset
            self.tokens = tokens
            self.tokenLogprobs = tokenLogprobs
            self.topLogprobs = topLogprobs
        }

        enum CodingKeys: String, CodingKey {
            case tokens
            case textOffset = "text_offset"
            case tokenLogprobs = "token_logprobs"
            case topLogprobs = "top_logprobs"
        }
    }

    public struct Choice: Codable, Sendable, Equatable {
        public var text: String
        public var index: Int
        /// Null unless the client asked for logprobs and the model gave them.
        @ExplicitNull public var logprobs: Logprobs?
        @ExplicitNull public var finishReason: String?

        public init(text: String, index: Int, logprobs: Logprobs? = nil, finishReason: String?) {
            self.text = text
            self.index = index
            self.logprobs = logprobs
            self.finishReason = finishReason
        }

        /// Logprobs of another shape than OpenAI's are read as none, as they were before
        /// Switchyard carried them: they never fail the answer.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            text = try container.decode(String.self, forKey: .text)
            index = try container.decode(Int.self, forKey: .index)
            logprobs = (try? container.decodeIfPresent(Logprobs.self, forKey: .logprobs)) ?? nil
            finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        }

        enum CodingKeys: String, CodingKey {
            case text, index, logprobs
            case finishReason = "finish_reason"
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage? = nil) {
        self.id = id
        self.object = "text_completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }
}
