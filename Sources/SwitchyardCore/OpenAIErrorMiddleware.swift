import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import Synchronization

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
        } catch let error as HTTPParserError {
            // Broken framing: Hummingbird answers 400 and closes the connection, which only it can do.
            throw error
        } catch {
            if FailureStatus.of(error) == FailureStatus.clientClosed {
                // Nobody is left to answer, and a client leaving is no server error.
                context.logger.debug("client closed the request", metadata: ["error": "\(error)"])
                return Response(status: .init(code: FailureStatus.clientClosed, reasonPhrase: "Client Closed Request"))
            }
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
        let requestID = request.headers[.requestID].flatMap(RequestID.accepted) ?? RequestID.make()
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

    /// A client's own id, when it is one: at most 128 visible ASCII characters. Anything else
    /// (a 16 KiB header, control characters) would be logged, stored and passed on to workers
    /// with every request, so it is replaced by a new id.
    public static func accepted(_ id: String) -> String? {
        guard (1...128).contains(id.utf8.count), id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return id
    }

    /// A random-looking (version 4) UUID in lowercase, because model servers pass ids on only in
    /// that shape (llama-cpp-python rejects others).
    ///
    /// Ids must be unique, not secret: they come from a counter, seeded once from the system
    /// generator and scrambled by SplitMix64, instead of a `getrandom` call (or, with `UUID()`,
    /// opening /dev/urandom) per request.
    public static func make() -> String {
        var generator = SeededRandomNumberGenerator(seed: sequence.wrappingAdd(2, ordering: .relaxed).oldValue)
        let high: UInt64 = generator.next() & ~0xF000 | 0x4000  // version 4
        let low: UInt64 = generator.next() & ~(0xC << 60) | (0x8 << 60)  // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            func append(_ word: UInt64, dashesAt dashes: (Int, Int)) {
                for nibble in (0..<16).reversed() {
                    if position == dashes.0 || position == dashes.1 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let digit = UInt8(truncatingIfNeeded: word >> (nibble * 4) & 0xF)
                    text[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    position += 1
                }
            }
            append(high, dashesAt: (8, 13))
            append(low, dashesAt: (18, 23))
            return position
        }
    }

    /// Seeds advance by 2, an even step, and the generator's stride is odd: no two ids share a draw.
    private static let sequence = Atomic<UInt64>(.random(in: .min ... .max))
}

extension Router {
    /// A router whose every answer, errors and unknown routes included, is OpenAI-shaped and carries a
    /// request id, and which refuses what a web page could make a browser send (``BrowserRequestGuard``)
    /// to a daemon bound to `host`.
    ///
    /// Middleware reaches only the routes added after it, so every daemon's router starts here.
    public static func switchyard(boundTo host: String) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: OpenAIErrorMiddleware())
        router.add(middleware: BrowserRequestGuardMiddleware(BrowserRequestGuard(bindHost: host)))
        return router
    }
}
