import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

extension JSONEncoder {
    /// The encoder every Switchyard component writes wire JSON with.
    public static var switchyard: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }
}

extension Response {
    /// A JSON response; Switchyard writes all its JSON bodies through here.
    public static func json<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder.switchyard.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: data))
        )
    }
}

extension Request {
    /// Decodes the JSON body, turning malformed input into a 400 OpenAI error instead of Hummingbird's plain 400.
    /// A duplicate key is refused first: `JSONDecoder` would quietly keep the first one.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type, limit: Int = 16 << 20) async throws -> Value {
        var request = self
        let buffer = try await request.collectBody(upTo: limit)
        if case .failure(let duplicate as JSONDuplicateKeyError) = Result(catching: { try JSONValue(parsing: buffer) }) {
            throw OpenAIError.badRequest(duplicate.message)
        }
        return try JSONDecoder.decode(type, from: buffer)
    }
}

extension JSONDecoder {
    public static func decode<Value: Decodable>(_ type: Value.Type, from buffer: ByteBuffer) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: buffer)
        } catch let error as DecodingError {
            throw OpenAIError.badRequest("Invalid JSON body: \(error.summary)")
        }
    }
}

extension DecodingError {
    /// One line naming the failing key path, instead of Foundation's multi-line debug description.
    var summary: String {
        func path(_ context: Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, let context):
            let prefix = path(context)
            return "missing required key '\(prefix.isEmpty ? key.stringValue : prefix + "." + key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at '\(path(context))': \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.debugDescription
        @unknown default:
            return "\(self)"
        }
    }
}

extension ByteBuffer {
    /// The JSON object with its `model` replaced, for a backend that knows the model by another
    /// name. Other fields keep their values, though not necessarily their order or formatting.
    public func replacingModel(with model: String) throws -> ByteBuffer {
        guard var object = try? JSONSerialization.jsonObject(with: Data(buffer: self)) as? [String: Any] else {
            throw OpenAIError.badRequest("The request body must be a JSON object.")
        }
        object["model"] = model
        return ByteBuffer(data: try JSONSerialization.data(withJSONObject: object))
    }

    /// Whether these bytes end with the blank line that ends a server-sent event.
    public var endsWithBlankLine: Bool {
        readableBytesView.suffix(2).elementsEqual([UInt8(ascii: "\n"), UInt8(ascii: "\n")])
    }
}
