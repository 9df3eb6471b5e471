import HTTPTypes
import SwitchyardCore

/// How a FastChat `error_code` reaches an OpenAI client: FastChat's API server answers every
/// code with HTTP 400, which makes the SDK give up on overloads and crashes it would retry;
/// here each code gets the status an OpenAI server would send, and says whether the gateway may
/// try another worker (only before the client's first byte).
public struct FastChatErrorTable: Sendable {
    public struct Row: Sendable, Equatable {
        public var code: FastChatErrorCode
        public var status: HTTPResponse.Status
        public var type: String
        public var openAICode: String?
        /// Another worker may succeed where this one failed.
        public var retryable: Bool
    }

    public let rows: [Row]

    /// FastChat's codes, one row each.
    public static let standard = FastChatErrorTable(rows: [
        Row(code: .validationTypeError, status: .badRequest, type: "invalid_request_error", openAICode: "invalid_value", retryable: false),
        Row(code: .invalidAuthKey, status: .unauthorized, type: "invalid_request_error", openAICode: "invalid_api_key", retryable: false),
        Row(code: .incorrectAuthKey, status: .unauthorized, type: "invalid_request_error", openAICode: "invalid_api_key", retryable: false),
        Row(code: .noPermission, status: .forbidden, type: "invalid_request_error", openAICode: "permission_denied", retryable: false),
        // The worker does not serve the model it registered: another one may.
        Row(code: .invalidModel, status: .notFound, type: "invalid_request_error", openAICode: "model_not_found", retryable: true),
        Row(code: .paramOutOfRange, status: .badRequest, type: "invalid_request_error", openAICode: "invalid_value", retryable: false),
        Row(code: .contextOverflow, status: .badRequest, type: "invalid_request_error", openAICode: "context_length_exceeded", retryable: false),
        Row(code: .rateLimit, status: .tooManyRequests, type: "requests", openAICode: "rate_limit_exceeded", retryable: true),
        Row(code: .quotaExceeded, status: .tooManyRequests, type: "insufficient_quota", openAICode: "insufficient_quota", retryable: false),
        Row(code: .engineOverloaded, status: .serviceUnavailable, type: "server_error", openAICode: nil, retryable: true),
        Row(code: .internalError, status: .internalServerError, type: "server_error", openAICode: nil, retryable: true),
        Row(code: .cudaOutOfMemory, status: .serviceUnavailable, type: "server_error", openAICode: nil, retryable: true),
        Row(code: .gradioRequestError, status: .badGateway, type: "server_error", openAICode: nil, retryable: true),
        Row(code: .gradioStreamUnknownError, status: .badGateway, type: "server_error", openAICode: nil, retryable: true),
        Row(code: .controllerNoWorker, status: .serviceUnavailable, type: "server_error", openAICode: nil, retryable: true),
        Row(code: .controllerWorkerTimeout, status: .gatewayTimeout, type: "server_error", openAICode: nil, retryable: true),
    ])

    /// A code FastChat does not define: the worker failed in a way nobody documented.
    public static let unknown = Row(code: .internalError, status: .badGateway, type: "server_error", openAICode: nil, retryable: true)

    public func row(for code: Int) -> Row {
        rows.first { $0.code.rawValue == code } ?? Self.unknown
    }

    /// The client's error for a worker's `{"text", "error_code"}`; the worker's text is clipped,
    /// as it may be anything.
    public func error(code: Int, text: String) -> (error: OpenAIError, retryable: Bool) {
        let row = row(for: code)
        let detail = text.isEmpty ? "The worker failed with FastChat error code \(code)." : text.clipped(toUTF8Count: Self.messageLimit)
        let error = OpenAIError(status: row.status, message: detail, type: row.type, code: row.openAICode)
        return (error, row.retryable)
    }

    static let messageLimit = 2048
}
