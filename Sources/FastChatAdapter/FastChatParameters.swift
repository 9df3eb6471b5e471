import Foundation
import NIOCore
import SwitchyardCore

/// The generation parameters FastChat's API server sends a worker's `/worker_generate_stream`
/// and `/worker_generate`, under FastChat's key names.
public struct FastChatParameters: Encodable, Sendable, Equatable {
    public var model: String
    public var prompt: String
    public var temperature: Double
    public var topP: Double
    public var topK: Int
    public var presencePenalty: Double
    public var frequencyPenalty: Double
    /// The request's `max_tokens` until the context check clamps it.
    public var maxNewTokens: Int?
    /// Always sent: a worker's default is to echo the prompt.
    public var echo: Bool
    public var logprobs: Int?
    public var stop: [String]
    public var stopTokenIDs: [Int]?
    public var bestOf: Int?
    public var useBeamSearch: Bool?

    enum CodingKeys: String, CodingKey {
        case model, prompt, temperature, echo, logprobs, stop
        case topP = "top_p"
        case topK = "top_k"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case maxNewTokens = "max_new_tokens"
        case stopTokenIDs = "stop_token_ids"
        case bestOf = "best_of"
        case useBeamSearch = "use_beam_search"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(prompt, forKey: .prompt)
        try container.encode(temperature, forKey: .temperature)
        try container.encode(topP, forKey: .topP)
        try container.encode(topK, forKey: .topK)
        try container.encode(presencePenalty, forKey: .presencePenalty)
        try container.encode(frequencyPenalty, forKey: .frequencyPenalty)
        try container.encode(maxNewTokens, forKey: .maxNewTokens)
        try container.encode(echo, forKey: .echo)
        // FastChat sends these as explicit nulls; workers read them with `.get`.
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(stop, forKey: .stop)
        try container.encode(stopTokenIDs, forKey: .stopTokenIDs)
        try container.encodeIfPresent(bestOf, forKey: .bestOf)
        try container.encodeIfPresent(useBeamSearch, forKey: .useBeamSearch)
    }

    /// The body to POST.
    public var jsonBody: ByteBuffer {
        ByteBuffer(data: (try? JSONEncoder.switchyard.encode(self)) ?? Data())
    }
}
