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
            promptTokens: request.messages.reduce(0) { $0 + Self.wordCount(in: $1.content ?? "") },
            source: Self.words(
                in: request.messages.last { $0.role == "user" }?.content ?? "",
                limit: Self.sourceLimit(outputTokens: outputTokens, choices: choice + 1)
            ),
            limit: request.outputTokenLimit,
            outputTokens: outputTokens,
            choice: choice
        )
    }

    public var text: String { tokens.joined() }
    public var usage: Usage { Usage(promptTokens: promptTokens, completionTokens: tokens.count) }

    /// The first `limit` words of `text`. Splits on Unicode scalars, with ASCII checked first:
    /// `Character.isWhitespace` costs seconds on a 10 MB prompt, on the worker's event loop.
    static func words(in text: String, limit: Int = .max) -> [String] {
        var words: [String] = []
        forEachWord(in: text) { word in
            words.append(String(word))
            return words.count < limit
        }
        return words
    }

    static func wordCount(in text: String) -> Int {
        var count = 0
        forEachWord(in: text) { _ in
            count += 1
            return true
        }
        return count
    }

    /// How many words a reply with `choices` choices of `outputTokens` words can use.
    static func sourceLimit(outputTokens: Int, choices: Int) -> Int {
        let (sum, overflow) = outputTokens.addingReportingOverflow(choices)
        return overflow ? .max : sum
    }

    /// Calls `body` with each word until it returns false.
    private static func forEachWord(in text: String, _ body: (Substring) -> Bool) {
        let scalars = text.unicodeScalars
        var start: String.Index?
        var index = scalars.startIndex
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let blank = scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
            if blank, let wordStart = start {
                guard body(text[wordStart..<index]) else { return }
                start = nil
            } else if !blank, start == nil {
                start = index
            }
            scalars.formIndex(after: &index)
        }
        if let wordStart = start { _ = body(text[wordStart...]) }
    }
}
