import NIOCore

/// What the gateway needs from a request that passed validation; the body itself travels on untouched.
public struct ValidatedRequest: Sendable, Equatable {
    public var model: String
    public var stream: Bool
    public var user: String?
    /// The prompt text, for policies that route on it.
    public var prompt: String?
}

/// Checks an OpenAI request's types and ranges the way OpenAI does (400 with `param` and `code`),
/// but is lenient on combinations real clients send, as the reference advises: `stream_options`
/// without `stream`, `max_tokens` beside `max_completion_tokens`, `parallel_tool_calls` without tools.
/// Fields it does not know pass through, so worker-specific extras (`top_k`, `grammar`) reach the worker.
///
/// Gateways and workers both run it: a worker is reachable without a gateway in front.
public enum RequestValidator {
    static let roles = ["system", "assistant", "user", "function", "tool", "developer"]
    /// Longer names are no model's: refused before they are echoed, logged or counted anywhere.
    public static let maxModelNameLength = 256
    /// Completions per request (prompts × `n`).
    public static let maxAnswers = 2048

    public static func validate(_ body: ByteBuffer, for endpoint: Endpoint) throws -> ValidatedRequest {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: body)
        } catch let duplicate as JSONDuplicateKeyError {
            throw OpenAIError.badRequest(duplicate.message)
        } catch {
            throw OpenAIError.badRequest(
                "We could not parse the JSON body of your request. The body must be a JSON object; see https://platform.openai.com/docs/api-reference."
            )
        }
        guard let fields = value.object else {
            throw OpenAIError.badRequest("Invalid type for the request body: expected an object, but got \(value.typeDescription) instead.", code: "invalid_type")
        }
        let check = FieldChecker(fields: fields)
        let model = try check.requiredString("model")
        guard model.utf8.count <= maxModelNameLength else {
            throw OpenAIError.badRequest(
                "Invalid 'model': string too long. Expected a string with maximum length \(maxModelNameLength), but got a string with length \(model.utf8.count) instead.",
                param: "model", code: "string_above_max_length"
            )
        }
        let stream = try check.bool("stream") ?? false
        if stream { try check.object("stream_options") { try $0.bool("include_usage") } }
        let choices = try check.integer("n", min: 1, max: 128) ?? 1
        try check.number("temperature", min: 0, max: 2)
        try check.number("top_p", min: 0, max: 1)
        try check.number("presence_penalty", min: -2, max: 2)
        try check.number("frequency_penalty", min: -2, max: 2)
        try check.integer("seed")
        let user = try check.string("user")

        switch endpoint {
        case .chatCompletions:
            let prompt = try validateChat(check)
            return ValidatedRequest(model: model, stream: stream, user: user, prompt: prompt)
        case .completions:
            try check.integer("max_tokens", min: 0)
            try check.stop()
            try check.integer("logprobs", min: 0, max: 5)
            try check.bool("echo")
            try check.string("suffix")
            let bestOf = try check.integer("best_of", min: 0, max: 20) ?? 1
            let prompts = try check.prompts("prompt")
            // Each prompt gets `n` answers: a small body must not ask for an unbounded reply.
            let answers = (prompts?.count ?? 1) * max(choices, bestOf)
            guard answers <= maxAnswers else {
                throw OpenAIError.badRequest(
                    "Invalid 'n': \(prompts?.count ?? 1) prompts with n=\(max(choices, bestOf)) ask for \(answers) completions; at most \(maxAnswers) are made per request.",
                    param: "n", code: "invalid_value"
                )
            }
            return ValidatedRequest(model: model, stream: stream, user: user, prompt: prompts?.text)
        case .embeddings:
            try check.embeddingInput()
            try check.oneOf("encoding_format", ["float", "base64"])
            try check.integer("dimensions", min: 1)
            return ValidatedRequest(model: model, stream: false, user: user, prompt: nil)
        }
    }

    /// Checks the chat-only fields and returns the conversation text.
    static func validateChat(_ check: FieldChecker) throws -> String {
        try check.integer("max_tokens", min: 1)
        try check.integer("max_completion_tokens", min: 1)
        try check.stop()
        try check.bool("logprobs")
        try check.integer("top_logprobs", min: 0, max: 20)
        try check.bool("parallel_tool_calls")
        try check.object("response_format") { format in
            try format.oneOf("type", ["text", "json_object", "json_schema"], required: true)
        }
        try check.array("tools") { tool in
            try tool.oneOf("type", ["function", "custom"], required: true)
            if tool.fields["type"]?.string == "function" {
                try tool.object("function", required: true) { try $0.requiredString("name") }
            }
        }
        if let choice = check.fields["tool_choice"], choice != .null {
            switch choice {
            case .string: try check.oneOf("tool_choice", ["none", "auto", "required"])
            case .object: try check.object("tool_choice") { try $0.requiredString("type") }
            default: throw FieldChecker.invalidType("tool_choice", expected: "a string or an object", got: choice)
            }
        }
        guard let messages = check.fields["messages"], messages != .null else {
            throw FieldChecker.missing("messages")
        }
        guard let list = messages.array else {
            throw FieldChecker.invalidType("messages", expected: "an array", got: messages)
        }
        guard !list.isEmpty else {
            throw OpenAIError.badRequest(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                param: "messages", code: "empty_array"
            )
        }
        var texts: [String] = []
        for (index, message) in list.enumerated() {
            let path = "messages[\(index)]"
            guard let fields = message.object else { throw FieldChecker.invalidType(path, expected: "an object", got: message) }
            let item = FieldChecker(fields: fields, path: path)
            let role = try item.oneOf("role", roles, required: true) ?? ""
            if role == "tool" { try item.requiredString("tool_call_id") }
            try item.string("name")
            try item.array("tool_calls") { call in
                try call.requiredString("id")
                try call.object("function", required: true) { try $0.requiredString("name") }
            }
            // An assistant turn may carry only tool calls, a function turn only a name.
            if let text = try item.content(required: role != "assistant" && role != "function") {
                texts.append(text)
            }
        }
        return texts.joined(separator: "\n")
    }
}
