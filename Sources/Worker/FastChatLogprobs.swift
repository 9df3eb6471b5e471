import SwitchyardCore

/// FastChat's cumulative `logprobs` of a generation, `{text_offset, tokens, token_logprobs,
/// top_logprobs}`, gathered from the logprobs of a backend's completion stream events.
///
/// Offsets count Unicode scalars into the chunk's `text` (Python's string indexes), echoed
/// prompt included; a backend's own offsets are not used, since backends disagree on their origin.
struct FastChatLogprobs: Encodable, Sendable, Equatable {
    var textOffset: [Int] = []
    var tokens: [String] = []
    var tokenLogprobs: [Double?] = []
    var topLogprobs: [[String: Double]?] = []

    enum CodingKeys: String, CodingKey {
        case tokens
        case textOffset = "text_offset"
        case tokenLogprobs = "token_logprobs"
        case topLogprobs = "top_logprobs"
    }

    /// Appends one event's `choices[0].logprobs`, whose tokens start `offset` scalars into the text.
    mutating func append(_ value: JSONValue, at offset: Int) {
        guard let tokens = value["tokens"]?.array?.compactMap(\.string) else { return }
        let logprobs = value["token_logprobs"]?.array ?? []
        let tops = value["top_logprobs"]?.array ?? []
        var position = offset
        for (index, token) in tokens.enumerated() {
            self.tokens.append(token)
            textOffset.append(position)
            position += token.unicodeScalars.count
            tokenLogprobs.append(index < logprobs.count ? logprobs[index].number.flatMap { $0.isFinite ? $0 : nil } : nil)
            let top = index < tops.count ? tops[index].object?.compactMapValues { $0.number.flatMap { $0.isFinite ? $0 : nil } } : nil
            topLogprobs.append(top)
        }
    }
}
