import SwitchyardCore

/// What the simulator reads of a chat, completions or embeddings request.
struct SimulatorRequest: Decodable {
    struct Tool: Decodable {
        struct Function: Decodable {
            var name: String
            var parameters: JSONValue?
        }
        var type: String
        var function: Function?
    }

    struct ResponseFormat: Decodable {
        var type: String
    }

    var model: String
    var messages: [ChatCompletionRequest.Message]?
    var prompt: JSONValue?
    var input: JSONValue?
    var n: Int?
    var stream: Bool?
    var streamOptions: ChatCompletionRequest.StreamOptions?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var tools: [Tool]?
    var toolChoice: JSONValue?
    var responseFormat: ResponseFormat?
    var encodingFormat: String?
    var dimensions: Int?
    var fault: SimulatedFault?

    enum CodingKeys: String, CodingKey {
        case model, messages, prompt, input, n, stream, tools, dimensions
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case toolChoice = "tool_choice"
        case responseFormat = "response_format"
        case encodingFormat = "encoding_format"
        case fault = "switchyard_sim"
    }

    /// The longest embedding the simulator makes; OpenAI's largest model has 3072 dimensions.
    static let maxDimensions = 8192

    /// Refuses what the simulator cannot answer in bounded memory, even from a client that reached
    /// the worker without a gateway's checks.
    func checkLimits() throws {
        try fault?.check()
        if let dimensions, !(1...Self.maxDimensions).contains(dimensions) {
            throw OpenAIError.badRequest(
                "Invalid 'dimensions': expected an integer between 1 and \(Self.maxDimensions), but got \(dimensions) instead.",
                param: "dimensions", code: "invalid_value"
            )
        }
    }

    var isStreaming: Bool { stream == true }
    var includeUsage: Bool { streamOptions?.includeUsage == true }
    var choiceCount: Int { max(1, n ?? 1) }

    /// The texts a completions prompt or embeddings input holds; token-id lists count as words of ids.
    static func texts(of value: JSONValue?) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let items) where items.allSatisfy { $0.string != nil }: items.compactMap(\.string)
        case .array(let items) where items.allSatisfy { $0.array != nil }: items.map { texts(of: $0).joined(separator: " ") }
        case .array(let items): [items.compactMap { $0.integer.map(String.init) }.joined(separator: " ")]
        default: []
        }
    }

    /// The function a model with tools would call: the one `tool_choice` names, else the first,
    /// unless `tool_choice` is "none".
    var calledFunction: Tool.Function? {
        if toolChoice?.string == "none" { return nil }
        let functions = (tools ?? []).compactMap(\.function)
        if let named = toolChoice?["function"]?["name"]?.string {
            return functions.first { $0.name == named }
        }
        return functions.first
    }
}
