import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import SwitchyardCore

/// Serves a gateway's OpenAI routes (`POST /v1/chat/completions`, `/v1/completions`,
/// `/v1/embeddings` and their bare forms) inside the connection's pipeline, ahead of Hummingbird's
/// router, which keeps every other route.
///
/// Hummingbird hands each request to the connection's task through an async sequence and takes
/// its answer through an async writer, which a profile showed to cost more than the relay itself.
/// Here the request is read on the event loop, one task per request runs the relay on that loop,
/// and the answer is written through this handler: head, body and end in one flush.
///
/// It sits after Hummingbird's `HTTPConnectionStateHandler`, so the idle timeout and graceful
/// shutdown count its requests. Requests keep their order on a connection: parts that arrive while
/// another answer is under way (pipelining) wait, with reading paused, until that answer ends.
public final class DataPlaneHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// What every connection of one gateway listener shares.
    public struct Configuration: Sendable {
        public var gateway: Gateway
        /// Client keys; none lets every request through.
        public var keys: APIKeySet
        public var browserGuard: BrowserRequestGuard
        /// The largest request body read; a longer one is answered 413.
        public var maxBodySize: Int

        public init(gateway: Gateway, keys: APIKeySet = .init(), browserGuard: BrowserRequestGuard, maxBodySize: Int) {
            self.gateway = gateway
            self.keys = keys
            self.browserGuard = browserGuard
            self.maxBodySize = maxBodySize
        }
    }

    private enum State {
        case idle
        /// A request for Hummingbird is being read: its parts go on.
        case passing
        /// One of ours is being read.
        case reading(RelayRequest, models: Set<String>?)
        /// Ours was answered before its end (a refusal): the rest of it is read and dropped.
        case discarding
        /// Ours is being relayed by `task`.
        case serving(Task<Void, Never>)
    }

    private let configuration: Configuration
    private var state = State.idle
    /// Requests handed to Hummingbird whose answers have not ended.
    private var routerAnswersOpen = 0
    /// Parts that wait for the answer under way to end.
    private var waiting = CircularBuffer<HTTPRequestPart>()
    private var readHeld = false
    /// The current request's id, echoed on its answer.
    private var requestID = ""
    /// The client asked to close the connection after this answer.
    private var closeAfterAnswer = false
    /// Numbers our answers, so a writer whose answer has ended cannot write into the next.
    private var answer = 0
    private var context: ChannelHandlerContext?
    private var executor: EventLoopTaskExecutor?

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        executor = EventLoopTaskExecutor(eventLoop: context.eventLoop)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        cancelServing()
        self.context = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        // The client is gone: a queued request gives up its place, a relay stops.
        cancelServing()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if waiting.isEmpty, take(part, context: context) { return }
        waiting.append(part)
    }

    public func read(context: ChannelHandlerContext) {
        // Nothing more is read while parts wait: a pipelining client cannot fill memory.
        if waiting.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if case .end = unwrapOutboundIn(data) {
            routerAnswersOpen = max(0, routerAnswersOpen - 1)
            if routerAnswersOpen == 0, !waiting.isEmpty {
                context.eventLoop.assumeIsolated().execute { self.takeWaiting() }
            }
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Broken framing in our request's body: nothing sensible can follow on this connection.
        switch state {
        case .reading:
            state = .discarding
            closeAfterAnswer = true
            respond(to: OpenAIError.badRequest("The request is not valid HTTP/1.1 (\(error)).", code: "invalid_http"), context: context)
            context.close(promise: nil)
        case .discarding:
            context.close(promise: nil)
        default:
            context.fireErrorCaught(error)
        }
    }

    /// Handles `part` unless it must wait for an answer under way; false then.
    private func take(_ part: HTTPRequestPart, context: ChannelHandlerContext) -> Bool {
        switch (state, part) {
        case (.idle, .head(let head)):
            guard let endpoint = Self.endpoint(of: head) else {
                routerAnswersOpen += 1
                state = .passing
                context.fireChannelRead(wrapInboundOut(part))
                return true
            }
            guard routerAnswersOpen == 0 else { return false }
            begin(head, endpoint: endpoint, context: context)
        case (.passing, _):
            if case .end = part { state = .idle }
            context.fireChannelRead(wrapInboundOut(part))
        case (.reading(var request, let models), .body(let chunk)):
            guard chunk.readableBytes <= configuration.maxBodySize - request.body.readableBytes else {
                state = .discarding
                closeAfterAnswer = true
                respond(to: Self.bodyTooLarge(limit: configuration.maxBodySize), context: context)
                return true
            }
            // The state lets go of the body first, so appending does not copy it.
            state = .idle
            if request.body.readableBytes == 0 {
                request.body = chunk
            } else {
                request.body.writeImmutableBuffer(chunk)
            }
            state = .reading(request, models: models)
        case (.reading(let request, let models), .end):
            serve(request, models: models, context: context)
        case (.discarding, .end):
            state = .idle
            if closeAfterAnswer { context.close(promise: nil) }
        case (.discarding, _), (.idle, _), (.reading, .head):
            // The decoder sends head, body and end in order; what else comes is dropped.
            break
        case (.serving, _):
            return false
        }
        return true
    }

    private func takeWaiting() {
        guard let context else { return }
        while let part = waiting.first, take(part, context: context) {
            waiting.removeFirst()
        }
        if waiting.isEmpty, readHeld {
            readHeld = false
            context.read()
        }
    }

    private func begin(_ head: HTTPRequest, endpoint: Endpoint, context: ChannelHandlerContext) {
        requestID = head.headerFields[.requestID].flatMap(RequestID.accepted) ?? RequestID.make()
        closeAfterAnswer = Self.asksToClose(head)
        do {
            let models = try admit(head)
            state = .reading(RelayRequest(endpoint: endpoint, headers: head.headerFields, body: ByteBuffer()), models: models)
        } catch {
            state = .discarding
            respond(to: error, context: context)
        }
    }

    /// What the middleware of Hummingbird's routes checks: the browser guard, then the API key.
    /// Returns the models the key may use (nil: all).
    private func admit(_ head: HTTPRequest) throws(OpenAIError) -> Set<String>? {
        if let refusal = configuration.browserGuard.refusal(of: .init(head: head)) { throw refusal.error }
        guard !configuration.keys.isEmpty else { return nil }
        return try configuration.keys.entry(presentedIn: head.headerFields).models
    }

    private func serve(_ request: RelayRequest, models: Set<String>?, context: ChannelHandlerContext) {
        answer += 1
        let writer = Writer(handler: NIOLoopBound(self, eventLoop: context.eventLoop), answer: answer)
        let gateway = configuration.gateway
        let requestID = requestID
        state = .serving(
            Task(executorPreference: executor) {
                await RequestID.$current.withValue(requestID) {
                    await ModelAccess.$allowed.withValue(models) {
                        await gateway.serve(request, to: writer)
                    }
                }
            }
        )
    }

    private func cancelServing() {
        if case .serving(let task) = state {
            task.cancel()
            state = .idle
        }
        answer += 1
    }

    // MARK: Writing an answer

    private func respond(to error: OpenAIError, context: ChannelHandlerContext) {
        writeHead(HTTPResponse(status: error.status, headerFields: error.headers), body: ByteBuffer(bytes: error.jsonBody()), end: true, context: context)
    }

    private func writeHead(_ head: HTTPResponse, body: ByteBuffer, end: Bool, context: ChannelHandlerContext) {
        var head = head
        head.headerFields[.requestID] = requestID
        if closeAfterAnswer { head.headerFields[.connection] = "close" }
        if end, head.headerFields[.contentLength] == nil { head.headerFields[.contentLength] = String(body.readableBytes) }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(body)), promise: nil) }
        if end {
            writeEnd(context: context)
        } else {
            context.flush()
        }
    }

    private func writeEnd(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        guard case .serving = state else { return }
        state = .idle
        answer += 1
        if closeAfterAnswer {
            context.close(promise: nil)
        } else if !waiting.isEmpty {
            context.eventLoop.assumeIsolated().execute { self.takeWaiting() }
        }
    }

    /// The relay's side of one answer; every call lands on the connection's event loop.
    private struct Writer: RelayResponseWriter {
        let handler: NIOLoopBound<DataPlaneHandler>
        let answer: Int

        func respond(_ head: HTTPResponse, body: ByteBuffer, end: Bool) {
            onLoop { handler, context in handler.writeHead(head, body: body, end: end, context: context) }
        }

        func write(_ chunk: ByteBuffer) async throws {
            let eventLoop = handler.eventLoop
            let written: EventLoopFuture<Void>? =
                if eventLoop.inEventLoop {
                    try handler.value.write(chunk, answer: answer)
                } else {
                    try await eventLoop.submit { [handler, answer] in try handler.value.write(chunk, answer: answer) }.get()
                }
            try await written?.get()
        }

        func end() {
            onLoop { handler, context in handler.writeEnd(context: context) }
        }

        func abort() {
            onLoop { handler, context in
                handler.state = .idle
                handler.answer += 1
                context.close(promise: nil)
            }
        }

        private func onLoop(_ body: @escaping (DataPlaneHandler, ChannelHandlerContext) -> Void) {
            let handler = self.handler
            let answer = self.answer
            let run = {
                let value = handler.value
                guard value.answer == answer, let context = value.context else { return }
                body(value, context)
            }
            if handler.eventLoop.inEventLoop {
                run()
            } else {
                handler.eventLoop.execute(run)
            }
        }
    }

    /// Writes one chunk of the current answer; nil when the connection can take more at once,
    /// else the write to wait for.
    private func write(_ chunk: ByteBuffer, answer: Int) throws -> EventLoopFuture<Void>? {
        guard answer == self.answer, let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        guard context.channel.isWritable else {
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.body(chunk)), promise: written)
            return written.futureResult
        }
        context.writeAndFlush(wrapOutboundOut(.body(chunk)), promise: nil)
        return nil
    }

    // MARK: Routes

    /// The OpenAI route of a request this handler serves; nil for the router's.
    static func endpoint(of head: HTTPRequest) -> Endpoint? {
        guard head.method == .post, var path = head.path?.prefix(while: { $0 != "?" }) else { return nil }
        if path.contains("%") { path = Substring(path.removingPercentEncoding ?? "") }
        var components = path.split(separator: "/")
        if components.first == "v1" { components.removeFirst() }
        return Endpoint(rawValue: components.joined(separator: "/"))
    }

    /// `Connection: close`, alone or among other options.
    static func asksToClose(_ head: HTTPRequest) -> Bool {
        head.headerFields[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.filter { $0 != " " && $0 != "\t" }.lowercased() == "close" }
        }
    }

    static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(
            status: .contentTooLarge,
            message: "The request body is over this server's limit of \(limit) bytes.",
            code: "request_too_large"
        )
    }
}
