/// One arena vote: two anonymous models answered the same prompt and the user picked a side.
///
/// Kept apart from the FastChat record so the maths never depends on the file format's optional
/// metadata (judge, language, turn).
public struct Battle: Sendable, Hashable {
    /// The vote, spelled as FastChat's cleaned battle files spell it.
    public enum Winner: String, Sendable, Hashable, Codable, CaseIterable {
        case modelA = "model_a"
        case modelB = "model_b"
        case tie = "tie"
        case tieBothBad = "tie (bothbad)"

        /// Model A's score: FastChat counts both kinds of tie as half a win, so a "both bad" vote
        /// moves ratings exactly like a plain tie.
        public var scoreForA: Double {
            switch self {
            case .modelA: 1
            case .modelB: 0
            case .tie, .tieBothBad: 0.5
            }
        }
    }

    public var modelA: String
    public var modelB: String
    public var winner: Winner
    /// Unix seconds; only the online Elo depends on the order it gives.
    public var timestamp: Double
    /// Both answers' length and markdown, when known: what style control needs.
    public var style: Style?

    /// Side A's and side B's ``AnswerStyle``.
    public struct Style: Sendable, Hashable {
        public var a: AnswerStyle
        public var b: AnswerStyle

        public init(a: AnswerStyle, b: AnswerStyle) {
            self.a = a
            self.b = b
        }
    }

    public init(modelA: String, modelB: String, winner: Winner, timestamp: Double = 0, style: Style? = nil) {
        self.modelA = modelA
        self.modelB = modelB
        self.winner = winner
        self.timestamp = timestamp
        self.style = style
    }
}
