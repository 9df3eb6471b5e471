import SwitchyardCore

/// The simulator's deterministic answer to a request, with honest token counts.
///
/// A token is one whitespace-separated word. The prompt counts the words of every message; the
/// reply repeats the words of the last user message (or "Hello" when there are none) until it
/// has the configured length or hits the request's `max_completion_tokens` / `max_tokens`.
/// Choice `n` starts `n` words further in, so `n > 1` gives distinct choices.
public struct SimulatedReply: Sendable, Equatable {
    public var tokens: [String]
    public var promptTokens: Int
    public var finishReason: String

    public init(promptTokens: Int, source: [String], limit: Int?, outputTokens: Int, choice: Int = 0) {
        self.promptTokens = promptTokens
        let source = source.isEmpty ? ["Hello"] : source
        let limit = limit.map { min($0, outputTokens) } ?? outputTokens
        tokens = (0..<max(0, limit)).map { index in
            let word = source[(index + choice) % source.count]
            return index == 0 ? word : " " + word
        }
        finishReason = limit < outputTokens ? "length" : "stop"
    }

    public init(for request: ChatCompletionRequest, outputTokens: Int, choice: Int = 0) {
        self.init(
            promptTokens: request.messages.reduce(0) { $0 + Self.words(in: $1.content ?? "").count },
            source: Self.words(in: request.messages.last { $0.role == "user" }?.content ?? ""),
            limit: request.outputTokenLimit,
            outputTokens: outputTokens,
            choice: choice
        )
    }

    public var text: String { tokens.joined() }
    public var usage: Usage { Usage(promptTokens: promptTokens, completionTokens: tokens.count) }

    static func words(in text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).map(String.init)
    }
}
