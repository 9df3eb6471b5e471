import HTTPTypes
import NIOCore
import NIOHTTPTypes
import SwitchyardCore

/// Reads workers' streamed heartbeats (``FastChat/HeartBeat/streamPath``) in the connection's
/// pipeline, ahead of Hummingbird's router, which keeps every other route: one long POST with an
/// NDJSON body of beats, answered on the same exchange with an NDJSON `{"exist":…}` line whenever
/// the answer changes (the first beat's included).
///
/// Each beat is parsed and recorded where its bytes arrive, on the event loop: Hummingbird's
/// async request body (an async sequence, a task hop per chunk) was about half of the
/// controller's CPU under 10 000 beating workers.
///
/// When the stream breaks (the worker died, its host vanished, it sent something that is not a
/// beat), the workers it carried are removed at once; the expiry still catches a stream that
/// stays open but falls silent. A stream that ends cleanly removes nothing: the answer ends after
/// ``ControllerConfiguration/beatStreamLifetime`` (inside the server's request deadline) or when
/// the server shuts down, the worker then ends its body and opens the next. A server shutting
/// down is not the workers' death: its closing the connection removes nobody.
final class BeatStreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// A request for Hummingbird is being read: its parts go on.
        case passing
        /// A beat stream is being read.
        case reading
        /// The rest of a refused or broken stream's body is dropped.
        case discarding
    }

    private let controller: Controller
    private let browserGuard: BrowserRequestGuard
    private var state = State.idle
    /// Requests handed to Hummingbird whose answers have not ended.
    private var routerAnswersOpen = 0
    private var stream: UInt64 = 0
    private var lines = LineSplitter(maximumLength: FastChat.HeartBeat.maximumSize)
    /// The workers the stream beat for; only registered names, so the set stays within the registry's capacity.
    private var carried = Set<String>()
    private var lastAnswer: Bool?
    private var answering = false
    private var unflushed = false
    private var lifetime: Scheduled<Void>?
    private var shuttingDown = false

    init(controller: Controller, browserGuard: BrowserRequestGuard) {
        self.controller = controller
        self.browserGuard = browserGuard
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.idle, .head(let head)):
            guard head.method == .post, head.path.map({ String($0.prefix { $0 != "?" }) }) == FastChat.HeartBeat.streamPath else {
                routerAnswersOpen += 1
                state = .passing
                context.fireChannelRead(data)
                return
            }
            // A stream pipelined behind an answer still under way could not be answered in order.
            guard routerAnswersOpen == 0 else { return context.close(promise: nil) }
            begin(head, context: context)
        case (.passing, _):
            if case .end = part { state = .idle }
            context.fireChannelRead(data)
        case (.reading, .body(let buffer)):
            read(buffer, context: context)
        case (.reading, .end):
            if lines.hasPartialLine {
                broke(refusal: OpenAIError.badRequest("The heartbeat stream ended inside a line."), context: context)
            } else {
                endAnswer(context: context)
            }
            state = .idle
        case (.discarding, .end):
            state = .idle
        case (.discarding, _), (.idle, _), (.reading, .head):
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routerAnswersOpen = max(0, routerAnswersOpen - 1) }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerQuiescing {
            shuttingDown = true
            endAnswer(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .reading = state, !shuttingDown { broke(refusal: nil, context: context) }
        lifetime?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .reading = state else { return context.fireErrorCaught(error) }
        broke(refusal: nil, context: context)
        context.close(promise: nil)
    }

    private func begin(_ head: HTTPRequest, context: ChannelHandlerContext) {
        do throws(OpenAIError) {
            if let refusal = browserGuard.refusal(of: .init(head: head)) { throw refusal.error }
            try controller.configuration.access.registration.authorize(head.headerFields)
        } catch {
            state = .discarding
            let answer = error.answer()
            context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
            context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        state = .reading
        stream = controller.store.openBeatStream()
        lines = LineSplitter(maximumLength: FastChat.HeartBeat.maximumSize)
        carried = []
        lastAnswer = nil
        answering = true
        let fields: HTTPFields = [.contentType: "application/x-ndjson", .cacheControl: "no-cache"]
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        lifetime = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(controller.configuration.beatStreamLifetime)) {
            self.endAnswer(context: context)
        }
    }

    private func read(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        do {
            for line in try lines.append(buffer) {
                let beat = try FastChat.HeartBeat(parsing: line)
                let exists = controller.store.heartbeat(beat, stream: stream)
                ControllerMetrics.heartbeat(known: exists)
                if exists { carried.insert(beat.workerName) }
                if exists != lastAnswer {
                    answer(exists ? Controller.knownLine : Controller.unknownLine, context: context)
                    lastAnswer = exists
                }
            }
        } catch {
            broke(refusal: Controller.refusal(for: error), context: context)
            state = .discarding
        }
    }

    private func answer(_ line: ByteBuffer, context: ChannelHandlerContext) {
        guard answering else { return }
        context.write(wrapOutboundOut(.body(line)), promise: nil)
        unflushed = true
    }

    private func endAnswer(context: ChannelHandlerContext) {
        guard answering else { return }
        answering = false
        unflushed = false
        lifetime?.cancel()
        lifetime = nil
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// The stream broke: its workers are removed, and a worker that sent something other than
    /// beats hears why before the answer ends.
    private func broke(refusal: OpenAIError?, context: ChannelHandlerContext) {
        if let refusal { answer(Controller.errorLine(refusal), context: context) }
        endAnswer(context: context)
        let gone = controller.store.beatStreamBroke(stream, addresses: carried)
        carried = []
        if !gone.isEmpty { ControllerMetrics.beatStreamBroke(removing: gone.count) }
        for address in gone {
            controller.logger.warning("worker removed: its heartbeat stream broke", metadata: ["worker": "\(address)"])
        }
    }
}
