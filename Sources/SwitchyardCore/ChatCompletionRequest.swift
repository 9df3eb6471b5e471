/// The parts of an OpenAI chat completion request that Switchyard itself reads.
///
/// Unknown fields are ignored here and travel on untouched in the raw body.
public struct ChatCompletionRequest: Decodable, Sendable {
    /// One chat message, as read from a client and as sent by Switchyard's own clients (eval).
    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        public var content: String?

        enum CodingKeys: String, CodingKey { case role, content }

        public init(role: String, content: String?) {
            self.role = role
            self.content = content
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            role = try container.decode(String.self, forKey: .role)
            // Content is a string, null, or a list of typed parts of which the text parts count.
            if let text = try? container.decodeIfPresent(String.self, forKey: .content) {
                content = text
            } else if let parts = try? container.decodeIfPresent([ContentPart].self, forKey: .content) {
                content = parts.compactMap(\.text).joined(separator: "\n")
            } else {
                content = nil
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(role, forKey: .role)
            try container.encode(content, forKey: .content)
        }
    }

    struct ContentPart: Decodable {
        var type: String
        var text: String?
    }

    public struct StreamOptions: Decodable, Sendable {
        public var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    public var model: String
    public var messages: [Message]
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?

    enum CodingKeys: String, CodingKey {
        case model, messages, stream
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
    }

    /// `max_completion_tokens` wins over the deprecated `max_tokens`, as OpenAI documents.
    public var outputTokenLimit: Int? { maxCompletionTokens ?? maxTokens }
}
