/// FastChat's `judge` field: `[judge model, prompt name]`, a JSON array of two strings.
public struct JudgeIdentity: Codable, Sendable, Hashable {
    public var model: String
    public var prompt: String

    public init(model: String, prompt: String) {
        self.model = model
        self.prompt = prompt
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        model = try container.decode(String.self)
        prompt = try container.decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(model)
        try container.encode(prompt)
    }
}
