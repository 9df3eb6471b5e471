import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A service's side of one answer on a ``DataPlaneHandler``'s connection. Every call lands on the
/// connection's event loop (where the request's task runs); once the answer has ended, or the
/// client has gone, its calls do nothing (and `write` throws).
public struct DataPlaneWriter: Sendable {
    let connection: NIOLoopBound<any DataPlaneConnection>
    let answer: Int

    /// Writes the head and `body` in one flush; with `end`, that is the whole answer, sent with its length.
    public func respond(_ head: HTTPResponse, body: ByteBuffer = ByteBuffer(), end: Bool) {
        onLoop { $0.respond(head, body: body, end: end, answer: answer) }
    }

    /// Writes one more chunk; returns once the connection can take more, throws once the client is gone.
    public func write(_ chunk: ByteBuffer) async throws {
        let eventLoop = connection.eventLoop
        let written: EventLoopFuture<Void>? =
            if eventLoop.inEventLoop {
                try connection.value.write(chunk, answer: answer)
            } else {
                try await eventLoop.submit { [connection, answer] in try connection.value.write(chunk, answer: answer) }.get()
            }
        try await written?.get()
    }

    /// Ends the answer.
    public func end() {
        onLoop { $0.end(answer: answer) }
    }

    /// Closes the connection after what was written: the only way to tell a client its answer was cut.
    public func abort() {
        onLoop { $0.abort(answer: answer) }
    }

    /// Answers a request that failed before its answer began, as Hummingbird's routes answer a
    /// thrown error: an ``OpenAIError`` as itself, anything else as a 500 (logged); a client that
    /// left gets nothing. Returns the status the request counts as.
    @discardableResult
    public func fail(with error: any Error, logger: Logger) -> (status: Int, message: String) {
        let status = FailureStatus.of(error)
        if status == FailureStatus.clientClosed {
            abort()
            return (status, "The client closed the request.")
        }
        let failure =
            error as? OpenAIError
            ?? OpenAIError(status: .internalServerError, message: "The server had an error while processing your request.")
        if !(error is OpenAIError) {
            logger.error("request failed", metadata: ["error": "\(error)", "request_id": "\(RequestID.current ?? "")"])
        }
        let answer = failure.answer()
        respond(answer.head, body: answer.body, end: true)
        return (status, failure.message)
    }

    /// The rest of the body written by a Hummingbird ``ResponseBody`` (what model backends return),
    /// its `finish` ending the answer.
    public var bodyWriter: some ResponseBodyWriter { BodyWriter(answer: self) }

    private struct BodyWriter: ResponseBodyWriter {
        let answer: DataPlaneWriter

        func write(_ buffer: ByteBuffer) async throws {
            try await answer.write(buffer)
        }

        func finish(_ trailingHeaders: HTTPFields?) async throws {
            answer.end()
        }
    }

    private func onLoop(_ body: @escaping @Sendable (any DataPlaneConnection) -> Void) {
        let connection = self.connection
        if connection.eventLoop.inEventLoop {
            body(connection.value)
        } else {
            connection.eventLoop.execute { body(connection.value) }
        }
    }
}

/// What a ``DataPlaneWriter`` asks of its connection's handler, each call naming the answer it belongs to.
protocol DataPlaneConnection: AnyObject {
    func respond(_ head: HTTPResponse, body: ByteBuffer, end: Bool, answer: Int)
    func write(_ chunk: ByteBuffer, answer: Int) throws -> EventLoopFuture<Void>?
    func end(answer: Int)
    func abort(answer: Int)
}
