import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Serves a daemon's OpenAI routes (`POST /v1/chat/completions`, `/v1/completions`,
/// `/v1/embeddings` and their bare forms) inside the connection's pipeline, ahead of Hummingbird's
/// router, which keeps every other route; what is answered is the ``DataPlaneService``'s.
///
/// Hummingbird hands each request to the connection's task through an async sequence and takes
/// its answer through an async writer, which a profile showed to cost more than the relay itself.
/// Here the request is read on the event loop, one task per request runs the service on that
/// loop, and the answer is written through this handler: head, body and end in one flush.
///
/// It sits after Hummingbird's `HTTPConnectionStateHandler`, so the idle timeout and graceful
/// shutdown count its requests. Requests keep their order on a connection: parts that arrive while
/// another answer is under way (pipelining) wait, with reading paused, until that answer ends.
public final class DataPlaneHandler<Service: DataPlaneService>: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// A request for Hummingbird is being read: its parts go on.
        case passing
        /// One of ours is being read.
        case reading(DataPlaneRequest, admitted: Service.Admission)
        /// Ours was answered before its end (a refusal): the rest of it is read and dropped.
        case discarding
        /// Ours is being relayed by `task`.
        case serving(Task<Void, Never>)
    }

    private let service: Service
    /// The largest request body read; a longer one is answered 413.
    private let maxBodySize: Int
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

    public init(_ service: Service, maxBodySize: Int) {
        self.service = service
        self.maxBodySize = maxBodySize
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
            respond(to: .invalidHTTP(error), context: context)
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
            guard let endpoint = Endpoint(route: head) else {
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
        case (.reading(var request, let admitted), .body(let chunk)):
            guard chunk.readableBytes <= maxBodySize - request.body.readableBytes else {
                state = .discarding
                closeAfterAnswer = true
                respond(to: .requestTooLarge(limit: maxBodySize), context: context)
                return true
            }
            // The state lets go of the body first, so appending does not copy it.
            state = .idle
            if request.body.readableBytes == 0 {
                request.body = chunk
            } else {
                request.body.writeImmutableBuffer(chunk)
            }
            state = .reading(request, admitted: admitted)
        case (.reading(let request, let admitted), .end):
            serve(request, admitted: admitted, context: context)
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
        closeAfterAnswer = head.asksToClose
        do {
            let admitted = try service.admit(head)
            state = .reading(DataPlaneRequest(endpoint: endpoint, headers: head.headerFields, body: ByteBuffer()), admitted: admitted)
        } catch {
            state = .discarding
            respond(to: error, context: context)
        }
    }

    private func serve(_ request: DataPlaneRequest, admitted: Service.Admission, context: ChannelHandlerContext) {
        answer += 1
        let writer = DataPlaneWriter(connection: NIOLoopBound(self as any DataPlaneConnection, eventLoop: context.eventLoop), answer: answer)
        let service = service
        let requestID = requestID
        state = .serving(
            Task(executorPreference: executor) {
                await RequestID.$current.withValue(requestID) {
                    await service.serve(request, admitted: admitted, to: writer)
                }
                // A service that returned without ending its answer must not leave the client
                // waiting; after an end this does nothing.
                writer.abort()
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
        let answer = error.answer()
        writeHead(answer.head, body: answer.body, end: true, context: context)
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
}

extension DataPlaneHandler: DataPlaneConnection {
    func respond(_ head: HTTPResponse, body: ByteBuffer, end: Bool, answer: Int) {
        guard answer == self.answer, let context else { return }
        writeHead(head, body: body, end: end, context: context)
    }

    func write(_ chunk: ByteBuffer, answer: Int) throws -> EventLoopFuture<Void>? {
        guard answer == self.answer, let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        guard context.channel.isWritable else {
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.body(chunk)), promise: written)
            return written.futureResult
        }
        context.writeAndFlush(wrapOutboundOut(.body(chunk)), promise: nil)
        return nil
    }

    func end(answer: Int) {
        guard answer == self.answer, let context else { return }
        writeEnd(context: context)
    }

    func abort(answer: Int) {
        guard answer == self.answer, let context else { return }
        state = .idle
        self.answer += 1
        context.close(promise: nil)
    }
}

extension Endpoint {
    /// The OpenAI route a request asks for (a POST, with or without `/v1`, whatever slashes or
    /// escapes its path was sent with); nil for every other request.
    public init?(route head: HTTPRequest) {
        guard head.method == .post, var path = head.path?.prefix(while: { $0 != "?" }) else { return nil }
        if path.utf8.contains(UInt8(ascii: "%")) { path = Substring(path.removingPercentEncoding ?? "") }
        var components = path.split(separator: "/")
        if components.first == "v1" { components.removeFirst() }
        self.init(rawValue: components.joined(separator: "/"))
    }
}

extension HTTPRequest {
    /// `Connection: close`, alone or among other options.
    var asksToClose: Bool {
        headerFields[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.filter { $0 != " " && $0 != "\t" }.lowercased() == "close" }
        }
    }
}
