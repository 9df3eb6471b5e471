import Foundation
import Hummingbird
import Logging

/// Turns every error a handler or the router throws into OpenAI's error JSON, so clients never see
/// an empty 404 or a bare 500: unknown routes, oversized bodies and unexpected failures included.
public struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OpenAIError {
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            // Hummingbird's own errors (unknown route, NIOTooManyBytesError for an oversized body, …).
            let message =
                switch error.status {
                case .notFound: "Invalid URL (\(request.method) \(request.uri.path))"
                case .contentTooLarge: "The request body is too large."
                default: (error as? HTTPError)?.body ?? error.status.reasonPhrase
                }
            return try OpenAIError(status: error.status, message: message).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return try OpenAIError(status: .internalServerError, message: "The server had an error while processing your request.")
                .response(from: request, context: context)
        }
    }
}

/// Gives every request an `x-request-id` (the client's own, or a new one), available to handlers
/// as ``RequestID/current`` and echoed on the response.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = request.headers[.requestID] ?? RequestID.make()
        var response = try await RequestID.$current.withValue(requestID) {
            try await next(request, context)
        }
        response.headers[.requestID] = requestID
        return response
    }
}

/// The id of the request being handled, for passing on to the next hop and for logs.
public enum RequestID {
    @TaskLocal public static var current: String?

    /// A random (version 4) UUID in lowercase, because model servers pass ids on only in that shape
    /// (llama-cpp-python rejects others). Made from the system generator: `UUID()` opens, reads and
    /// closes /dev/urandom on every call on Linux.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high: UInt64 = generator.next() & ~0xF000 | 0x4000  // version 4
        let low: UInt64 = generator.next() & ~(0xC << 60) | (0x8 << 60)  // RFC 4122 variant
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for word in [high, low] {
                for nibble in (0..<16).reversed() {
                    if [8, 13, 18, 23].contains(position) {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = hex[Int(word >> (nibble * 4) & 0xF)]
                    position += 1
                }
            }
            return position
        }
    }
}

extension Router {
    /// A router whose every answer, errors and unknown routes included, is OpenAI-shaped and carries a request id.
    public static func switchyard() -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: OpenAIErrorMiddleware())
        return router
    }
}
