import Foundation
import HTTPTypes
import NIOCore
import SwitchyardCore

/// An error as an OpenAI-compatible model server words it, read leniently so that every dialect
/// becomes the one ``OpenAIError`` shape clients can rely on.
///
/// The dialects:
/// - OpenAI, Ollama, newer vLLM: `{"error": {"message", "type", "param", "code"}}`, where vLLM's
///   `type` is a Python class name (`BadRequestError`) and its `code` the numeric HTTP status.
/// - Older vLLM and SGLang: flat `{"object": "error", "message", "type", "param", "code": 400}`.
/// - llama.cpp: `{"error": {"code": 400, "message", "type": "exceed_context_size_error", ...}}`;
///   in a stream the inner object alone, on an `error:` line.
/// - TGI: `{"error": "<message>", "error_type": "validation" | "generation" | "overloaded" | "incomplete_generation"}`.
struct UpstreamError: Sendable, Equatable {
    var message: String
    var type: String?
    var param: String?
    /// A code in OpenAI's vocabulary (`context_length_exceeded`); numbers are kept apart in ``status``.
    var code: String?
    /// The HTTP status some servers repeat as a numeric `code`.
    var status: Int?
    /// TGI's `error_type`.
    var kind: String?

    init(message: String, type: String? = nil, param: String? = nil, code: String? = nil, status: Int? = nil, kind: String? = nil) {
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.status = status
        self.kind = kind
    }

    /// Reads a JSON body; nil when it is not an error object in any known dialect.
    init?(json bytes: some Collection<UInt8>) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        self.init(object: object)
    }

    /// Reads a decoded JSON object; nil when it is not an error object in any known dialect.
    init?(object: [String: Any]) {
        switch object["error"] {
        case let detail as [String: Any]:
            self.init(detail: detail)
        case let message as String:
            self.init(message: message, kind: object["error_type"] as? String)
        default:
            guard object["object"] as? String == "error" else { return nil }
            self.init(detail: object)
        }
    }

    /// Reads the value of llama.cpp's `error:` stream field: the bare detail object, or one wrapped in `"error"`.
    init?(errorField bytes: some Collection<UInt8>) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        if let wrapped = UpstreamError(object: object) {
            self = wrapped
        } else {
            self.init(detail: object)
        }
    }

    private init(detail: [String: Any]) {
        self.init(
            message: detail["message"] as? String ?? "",
            type: detail["type"] as? String,
            param: detail["param"] as? String
        )
        switch detail["code"] {
        case let number as Int: status = number
        case let text as String: if let number = Int(text) { status = number } else { code = text }
        default: break
        }
    }

    /// The status Switchyard answers with, given the upstream's. A deterministic rejection (4xx)
    /// stays 4xx so the gateway does not retry it elsewhere; overload is always 503 so it does.
    func answerStatus(upstreamStatus: Int) -> Int {
        if kind == "overloaded" { return 503 }
        if upstreamStatus >= 400 && upstreamStatus < 600 { return upstreamStatus }
        // A 200 (or a stream) carrying an error: trust the status the error names, if any.
        if let status, status >= 400 && status < 600 { return status }
        if kind == "validation" { return 422 }
        return 502
    }

    /// The error in OpenAI's shape: `type` is OpenAI's for the status, `code` a string or null.
    func openAIError(upstreamStatus: Int, retryAfter: Duration? = nil) -> OpenAIError {
        let status = answerStatus(upstreamStatus: upstreamStatus)
        return OpenAIError(
            status: HTTPResponse.Status(code: status),
            message: message.isEmpty ? "The model server failed with status \(status)." : message,
            type: status == 429 && Self.rateLimitTypes.contains(type ?? "") ? type : nil,
            param: param,
            code: code ?? (isContextLengthError ? "context_length_exceeded" : nil),
            retryAfter: retryAfter ?? (kind == "overloaded" ? .seconds(1) : nil)
        )
    }

    /// llama.cpp says so in its type; vLLM words its message like OpenAI but has only a numeric code.
    private var isContextLengthError: Bool {
        type == "exceed_context_size_error" || message.contains("maximum context length")
    }

    /// The 429 types OpenAI itself sends, which clients may tell apart.
    private static let rateLimitTypes: Set<String> = ["requests", "tokens", "insufficient_quota"]
}
