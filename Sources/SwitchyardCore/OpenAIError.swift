import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error as OpenAI clients expect it: `{"error": {"message", "type", "param", "code"}}` with a real HTTP status.
///
/// Thrown from any handler, it becomes the response, so every component answers errors in one shape.
public struct OpenAIError: HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    public var type: String
    public var param: String?
    public var code: String?
    /// Sent as `retry-after` (whole seconds) and `retry-after-ms`, so SDKs back off by the right amount.
    public var retryAfter: Duration?

    public init(
        status: HTTPResponse.Status,
        message: String,
        type: String? = nil,
        param: String? = nil,
        code: String? = nil,
        retryAfter: Duration? = nil
    ) {
        self.status = status
        self.message = message
        self.type = type ?? (status.code >= 500 ? "server_error" : "invalid_request_error")
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBody())))
    }

    /// The answer's header fields: the JSON type and the retry advice.
    public var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let retryAfter {
            headers.setRetryAdvice(retryAfter)
        }
        return headers
    }

    /// The whole answer for a channel handler to write: the head (``headers``, the length, and
    /// `connection: close` when `closing`) and the body.
    public func answer(closing: Bool = false) -> (head: HTTPResponse, body: ByteBuffer) {
        let body = ByteBuffer(bytes: jsonBody())
        var fields = headers
        fields[.contentLength] = String(body.readableBytes)
        if closing { fields[.connection] = "close" }
        return (HTTPResponse(status: status, headerFields: fields), body)
    }

    /// The JSON body, also used for the `data: {"error": ...}` event that ends a broken stream.
    public func jsonBody() -> [UInt8] {
        let body = Body(error: .init(message: message, type: type, param: param, code: code))
        return Array((try? JSONEncoder.switchyard.encode(body)) ?? Data())
    }

    /// The wire form, for reading errors other Switchyard components sent.
    public struct Body: Codable {
        public struct Detail: Codable {
            public var message: String
            public var type: String
            public var param: String?
            public var code: String?

            public init(message: String, type: String, param: String? = nil, code: String? = nil) {
                self.message = message
                self.type = type
                self.param = param
                self.code = code
            }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                // All four keys are required by the spec, null included.
                try container.encode(param, forKey: .param)
                try container.encode(code, forKey: .code)
            }
        }
        public var error: Detail
    }
}

extension OpenAIError {
    public static func badRequest(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, message: message, param: param, code: code)
    }

    public static func modelNotFound(_ model: String) -> OpenAIError {
        OpenAIError(
            status: .notFound,
            message: "The model `\(model)` does not exist or you do not have access to it.",
            param: "model",
            code: "model_not_found"
        )
    }

    public static func noCapacity(_ model: String, retryAfter: Duration = .seconds(1)) -> OpenAIError {
        OpenAIError(
            status: .serviceUnavailable,
            message: "No worker is available for model `\(model)` right now; please retry.",
            type: "server_error",
            retryAfter: retryAfter
        )
    }

    public static func queueFull(_ model: String, retryAfter: Duration) -> OpenAIError {
        OpenAIError(
            status: .tooManyRequests,
            message: "Too many requests are waiting for model `\(model)`; please retry shortly.",
            type: "requests",
            code: "rate_limit_exceeded",
            retryAfter: retryAfter
        )
    }

    public static func queueTimedOut(_ model: String, retryAfter: Duration) -> OpenAIError {
        OpenAIError(
            status: .serviceUnavailable,
            message: "Every worker for model `\(model)` stayed busy for too long; please retry.",
            type: "server_error",
            retryAfter: retryAfter
        )
    }

    /// A request body over the server's limit; `announced` is the length its head gave, if it gave one.
    public static func requestTooLarge(limit: Int, announced: Int? = nil) -> OpenAIError {
        OpenAIError(
            status: .contentTooLarge,
            message: "The request body\(announced.map { " of \($0) bytes" } ?? "") is over this server's limit of \(limit) bytes.",
            code: "request_too_large"
        )
    }

    /// A request whose bytes are not HTTP/1.1.
    public static func invalidHTTP(_ error: any Error) -> OpenAIError {
        .badRequest("The request is not valid HTTP/1.1 (\(error)).", code: "invalid_http")
    }

    public static func badGateway(_ message: String) -> OpenAIError {
        OpenAIError(status: .badGateway, message: message)
    }
}

extension HTTPFields {
    /// Sets `retry-after` (whole seconds, at least one) and `retry-after-ms`, with the pause
    /// clamped to ``Swift/Duration/outsidePauseLimit``: the value may come from a peer.
    public mutating func setRetryAdvice(_ pause: Duration) {
        let milliseconds = Swift.min(Swift.max(pause, .zero), Duration.outsidePauseLimit).roundedUpMilliseconds
        self[.retryAfter] = String(Swift.max(1, (milliseconds + 999) / 1000))
        self[.retryAfterMilliseconds] = String(milliseconds)
    }
}

extension HTTPField.Name {
    public static let retryAfterMilliseconds = HTTPField.Name("retry-after-ms")!
    public static let requestID = HTTPField.Name("x-request-id")!
    /// The openai SDK's override of its own retry decision.
    public static let shouldRetry = HTTPField.Name("x-should-retry")!
    /// Names the worker that served a request, for operators tracing one.
    public static let switchyardWorker = HTTPField.Name("x-switchyard-worker")!
    /// Tells nginx-style proxies not to buffer a stream.
    public static let accelBuffering = HTTPField.Name("x-accel-buffering")!
}
