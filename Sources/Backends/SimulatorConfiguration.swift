import SwitchyardCore

/// How the built-in simulator behaves: timing and reply length, for demos, tests and capacity planning.
public struct SimulatorConfiguration: Sendable, Equatable {
    /// Delay before the first token.
    public var timeToFirstToken: Duration
    /// Pace of later tokens; zero means no delay at all (for benchmarks).
    public var tokensPerSecond: Double
    /// Tokens in a reply when the request sets no smaller limit.
    public var outputTokens: Int
    /// Length of embedding vectors when the request sets no `dimensions`.
    public var embeddingDimensions: Int

    public init(timeToFirstToken: Duration = .zero, tokensPerSecond: Double = 0, outputTokens: Int = 16, embeddingDimensions: Int = 64) {
        self.timeToFirstToken = timeToFirstToken
        self.tokensPerSecond = tokensPerSecond
        self.outputTokens = outputTokens
        self.embeddingDimensions = embeddingDimensions
    }

    var interTokenDelay: Duration? {
        tokensPerSecond > 0 ? Duration.clamped(seconds: 1 / tokensPerSecond) : nil
    }
}
