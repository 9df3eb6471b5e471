import SwitchyardCore

/// The simulator's deterministic answer to a chat request, with honest token counts.
///
/// A token is one whitespace-separated word. The prompt counts the words of every message; the
/// reply repeats the words of the last user message (or "Hello" when there are none) until it
/// has the configured length or hits the request's `max_completion_tokens` / `max_tokens`.
public struct SimulatedReply: Sendable, Equatable {
    public var tokens: [String]
    public var promptTokens: Int
    public var finishReason: String

    public init(for request: ChatCompletionRequest, outputTokens: Int) {
        promptTokens = request.messages.reduce(0) { $0 + Self.words(in: $1.content ?? "").count }
        var source = Self.words(in: request.messages.last { $0.role == "user" }?.content ?? "")
        if source.isEmpty { source = ["Hello"] }
        let limit = request.outputTokenLimit.map { min($0, outputTokens) } ?? outputTokens
        let count = max(0, limit)
        tokens = (0..<count).map { index in
            let word = source[index % source.count]
            return index == 0 ? word : " " + word
        }
        finishReason = limit < outputTokens ? "length" : "stop"
    }

    public var text: String { tokens.joined() }
    public var usage: Usage { Usage(promptTokens: promptTokens, completionTokens: tokens.count) }

    static func words(in text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).map(String.init)
    }
}
