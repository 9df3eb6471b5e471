import Foundation

/// The answer of `/v1/embeddings`.
public struct EmbeddingList: Codable, Sendable, Equatable {
    /// A vector as floats, or as the base64 of its little-endian float32 bytes (what the openai SDK asks for by default).
    public enum Vector: Codable, Sendable, Equatable {
        case floats([Float])
        case base64(String)

        public init(_ floats: [Float], base64: Bool) {
            guard base64 else {
                self = .floats(floats)
                return
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(floats.count * 4)
            for value in floats {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            self = .base64(Data(bytes).base64EncodedString())
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .base64(text)
            } else {
                self = .floats(try container.decode([Float].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .floats(let floats): try container.encode(floats)
            case .base64(let text): try container.encode(text)
            }
        }
    }

    public struct Embedding: Codable, Sendable, Equatable {
        public var object: String
        public var index: Int
        public var embedding: Vector

        public init(index: Int, embedding: Vector) {
            self.object = "embedding"
            self.index = index
            self.embedding = embedding
        }
    }

    public struct Usage: Codable, Sendable, Equatable {
        public var promptTokens: Int
        public var totalTokens: Int

        public init(promptTokens: Int) {
            self.promptTokens = promptTokens
            self.totalTokens = promptTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }

    public var object: String
    public var data: [Embedding]
    public var model: String
    public var usage: Usage

    public init(data: [Embedding], model: String, usage: Usage) {
        self.object = "list"
        self.data = data
        self.model = model
        self.usage = usage
    }
}
