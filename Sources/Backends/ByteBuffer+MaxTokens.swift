import Foundation
import NIOCore

extension ByteBuffer {
    /// The request with `max_tokens` added when it has only `max_completion_tokens`, since Ollama
    /// and older servers read only the deprecated name and would otherwise ignore the limit.
    ///
    /// Every other byte stays as it was: the key goes in right after the opening brace.
    func addingMaxTokens() -> ByteBuffer {
        guard containsBytes(Self.maxCompletionTokensKey),
            let limits = try? JSONDecoder().decode(TokenLimits.self, from: self),
            !limits.hasMaxTokens,
            let limit = limits.maxCompletionTokens,
            let brace = readableBytesView.firstIndex(of: UInt8(ascii: "{"))
        else { return self }
        var body = ByteBuffer()
        body.reserveCapacity(readableBytes + 32)
        body.writeBytes(readableBytesView[...brace])
        body.writeString("\"max_tokens\":\(limit),")
        body.writeBytes(readableBytesView[(brace + 1)...])
        return body
    }

    private static let maxCompletionTokensKey = Array(#""max_completion_tokens""#.utf8)
}

/// The two output limits of a request; a present `max_tokens`, even null, is left to the upstream.
private struct TokenLimits: Decodable {
    var hasMaxTokens: Bool
    var maxCompletionTokens: Int?

    enum CodingKeys: String, CodingKey {
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hasMaxTokens = container.contains(.maxTokens)
        maxCompletionTokens = try? container.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
    }
}
