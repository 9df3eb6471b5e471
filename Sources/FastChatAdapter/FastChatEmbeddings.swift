import Foundation
import NIOCore
import SwitchyardCore

/// An OpenAI embeddings request as FastChat's API server sends it to a worker's
/// `/worker_get_embeddings`: the inputs in batches of four, and the batches' answers put back
/// together as one ``EmbeddingList``.
public struct FastChatEmbeddings: Sendable, Equatable {
    /// FastChat's `WORKER_API_EMBEDDING_BATCH_SIZE`.
    public static let batchSize = 4
    /// Longest vector believed from a worker.
    public static let dimensionLimit = 1 << 16

    public var model: String
    public var inputs: [String]
    public var base64: Bool
    private var data: [EmbeddingList.Embedding] = []
    private var tokens = 0

    public init(_ body: ByteBuffer, servedModel: String) throws {
        guard let fields = (try? JSONValue(parsing: body))?.object else {
            throw OpenAIError.badRequest("The request body must be a JSON object.")
        }
        model = fields["model"]?.string ?? servedModel
        inputs = try FastChatJob.texts(fields["input"], param: "input") ?? []
        base64 = fields["encoding_format"]?.string == "base64"
        self.servedModel = servedModel
    }

    private let servedModel: String

    /// The body of each `/worker_get_embeddings` call; vectors are asked for as floats and
    /// encoded here as the client wants them.
    public var batches: [ByteBuffer] {
        stride(from: 0, to: inputs.count, by: Self.batchSize).map { start in
            let batch = Batch(model: servedModel, input: Array(inputs[start..<min(start + Self.batchSize, inputs.count)]))
            return ByteBuffer(data: (try? JSONEncoder.switchyard.encode(batch)) ?? Data())
        }
    }

    struct Batch: Encodable {
        var model: String
        var input: [String]
        let encodingFormat = "float"
        enum CodingKeys: String, CodingKey {
            case model, input
            case encodingFormat = "encoding_format"
        }
    }

    /// Reads the answer to the next batch (a worker error becomes the client's, per the table).
    public mutating func add(_ answer: ByteBuffer, errors: FastChatErrorTable = .standard) throws(FastChatBodyFailure) {
        func broken(_ message: String) -> FastChatBodyFailure {
            FastChatBodyFailure(error: .badGateway(message), retryable: true)
        }
        guard let fields = (try? JSONValue(parsing: answer))?.object else { throw broken("The worker's embeddings are not a JSON object.") }
        if let code = fields["error_code"]?.integer, code != 0 {
            let (error, retryable) = errors.error(code: code, text: fields["text"]?.string ?? "")
            throw FastChatBodyFailure(error: error, retryable: retryable)
        }
        let expected = min(Self.batchSize, inputs.count - data.count)
        guard let vectors = fields["embedding"]?.array, vectors.count == expected else {
            throw broken("The worker sent no embedding for each input.")
        }
        for vector in vectors {
            guard let floats = Self.floats(vector) else { throw broken("The worker sent an embedding that is neither numbers nor base64 float32.") }
            data.append(.init(index: data.count, embedding: .init(floats, base64: base64)))
        }
        tokens += FastChatJob.clampTokens(fields["token_num"]?.integer ?? 0)
    }

    /// The answer once every batch is in.
    public var list: EmbeddingList {
        EmbeddingList(data: data, model: model, usage: .init(promptTokens: tokens))
    }

    static func floats(_ vector: JSONValue) -> [Float]? {
        switch vector {
        case .array(let items) where items.count <= dimensionLimit:
            let floats = items.compactMap { $0.number.map(Float.init) }
            return floats.count == items.count ? floats : nil
        case .string(let text):
            guard let bytes = Data(base64Encoded: text), bytes.count % 4 == 0, bytes.count / 4 <= dimensionLimit else { return nil }
            return stride(from: 0, to: bytes.count, by: 4).map { offset in
                let bits = bytes[bytes.startIndex + offset..<bytes.startIndex + offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                return Float(bitPattern: bits)
            }
        default:
            return nil
        }
    }
}
