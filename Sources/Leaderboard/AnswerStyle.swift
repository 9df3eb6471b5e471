/// How one side of a battle answered, in the terms style control measures: length and markdown.
///
/// The counts are those of LMSYS's `conv_metadata` (`sum_assistant_a_tokens`, `header_count_a`,
/// `list_count_a`, `bold_count_a`), summed over every assistant turn of the battle, so that a
/// model cannot win votes by looking thorough rather than being right.
public struct AnswerStyle: Sendable, Hashable, Codable {
    /// Answer tokens over all turns: the backend's completion usage where it reported one, else an
    /// estimate (see ``estimatedTokens(_:)``).
    public var tokens: Int
    /// Markdown headers by level, `#` to `######`.
    public var headers: [Int]
    public var orderedListItems: Int
    public var unorderedListItems: Int
    /// `**bold**` spans.
    public var boldAsterisks: Int
    /// `__bold__` spans.
    public var boldUnderscores: Int

    /// The largest count accepted from outside; far above any real answer, and small enough that
    /// sums of millions of battles stay exact in a `Double`.
    public static let maxCount = 1 << 30

    /// Counts are clamped to `0...maxCount`; `headers` is padded or cut to six levels.
    public init(tokens: Int, headers: [Int] = [], orderedListItems: Int = 0, unorderedListItems: Int = 0, boldAsterisks: Int = 0, boldUnderscores: Int = 0) {
        func clamped(_ value: Int) -> Int { min(max(value, 0), Self.maxCount) }
        self.tokens = clamped(tokens)
        self.headers = (0..<6).map { $0 < headers.count ? clamped(headers[$0]) : 0 }
        self.orderedListItems = clamped(orderedListItems)
        self.unorderedListItems = clamped(unorderedListItems)
        self.boldAsterisks = clamped(boldAsterisks)
        self.boldUnderscores = clamped(boldUnderscores)
    }

    public var headerCount: Int { headers.reduce(0, +) }
    public var listCount: Int { orderedListItems + unorderedListItems }
    public var boldCount: Int { boldAsterisks + boldUnderscores }

    /// The four values style control compares, in ``StyleFeature`` order.
    public var featureValues: [Double] {
        [Double(tokens), Double(headerCount), Double(listCount), Double(boldCount)]
    }

}

/// The covariates of the style-controlled fit, in the order LMSYS lists them.
public enum StyleFeature: String, Sendable, CaseIterable, Codable {
    case length = "sum_assistant_tokens"
    case headers = "header_count"
    case lists = "list_count"
    case bold = "bold_count"
}
