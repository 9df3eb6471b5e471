/// Token counts, as every OpenAI response reports them.
public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = promptTokens + completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

/// A function call a model asks the client to make.
public struct ToolCall: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var name: String?
        public var arguments: String?

        public init(name: String? = nil, arguments: String? = nil) {
            self.name = name
            self.arguments = arguments
        }
    }

    /// Required on every streamed fragment: clients merge fragments by it.
    public var index: Int?
    public var id: String?
    public var type: String?
    public var function: Function

    public init(index: Int? = nil, id: String? = nil, type: String? = nil, function: Function) {
        self.index = index
        self.id = id
        self.type = type
        self.function = function
    }
}

/// A non-streamed chat completion (`object: "chat.completion"`).
public struct ChatCompletion: Codable, Sendable, Equatable {
    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        // OpenAI sends content and refusal as explicit nulls; strict clients require the keys.
        @ExplicitNull public var content: String?
        private var refusal = AlwaysNull()
        public var toolCalls: [ToolCall]?

        public init(role: String = "assistant", content: String?, toolCalls: [ToolCall]? = nil) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
        }

        enum CodingKeys: String, CodingKey {
            case role, content, refusal
            case toolCalls = "tool_calls"
        }
    }

    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var message: Message
        private var logprobs = AlwaysNull()
        @ExplicitNull public var finishReason: String?

        public init(index: Int, message: Message, finishReason: String?) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage) {
        self.id = id
        self.object = "chat.completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    public init(id: String, created: Int, model: String, content: String, finishReason: String, usage: Usage) {
        self.init(
            id: id, created: created, model: model,
            choices: [Choice(index: 0, message: Message(content: content), finishReason: finishReason)],
            usage: usage
        )
    }
}

/// One streamed event (`object: "chat.completion.chunk"`).
public struct ChatCompletionChunk: Codable, Sendable, Equatable {
    public struct Delta: Codable, Sendable, Equatable {
        public var role: String?
        public var content: String?
        public var toolCalls: [ToolCall]?

        public init(role: String? = nil, content: String? = nil, toolCalls: [ToolCall]? = nil) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
        }

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }
    }

    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var delta: Delta
        private var logprobs = AlwaysNull()
        /// Clients expect an explicit null on every chunk but the last.
        @ExplicitNull public var finishReason: String?

        public init(index: Int = 0, delta: Delta, finishReason: String? = nil) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, delta, logprobs
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
        self.object = "chat.completion.chunk"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }
}

/// An entry of `GET /v1/models`.
public struct ModelCard: Codable, Sendable, Equatable {
    public var id: String
    public var object: String
    public var created: Int
    public var ownedBy: String

    public init(id: String, created: Int, ownedBy: String = "switchyard") {
        self.id = id
        self.object = "model"
        self.created = created
        self.ownedBy = ownedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }
}

/// The body of `GET /v1/models`.
public struct ModelCardList: Codable, Sendable, Equatable {
    public var object: String
    public var data: [ModelCard]

    public init(data: [ModelCard]) {
        self.object = "list"
        self.data = data
    }
}
