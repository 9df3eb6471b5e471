/// The OpenAI operations Switchyard serves and relays, by their path under `/v1`.
public enum Endpoint: String, Sendable, CaseIterable {
    case chatCompletions = "chat/completions"
    case completions = "completions"
    case embeddings = "embeddings"

    public var path: String { "/v1/" + rawValue }
}
