import NIOCore
import NIOHTTP1

/// One keep-alive connection of an ``UpstreamPool``, at the end of its channel's pipeline: it
/// runs one exchange at a time and, when the response ended and both sides keep the connection,
/// goes back to the pool.
///
/// Everything here runs on the channel's event loop. A reader that falls behind pauses the
/// connection's reads (the ``UpstreamExchange/Receiver`` says when); a reader that gives up, or a
/// deadline, closes the connection, since its response would otherwise still be on the wire.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let eventLoop: any EventLoop
    private let pool: UpstreamPool
    private let key: UpstreamPool.PeerKey
    private var context: ChannelHandlerContext?
    private var receiver: UpstreamExchange.Receiver?
    private var keepAlive = true
    private var readPaused = false
    private var readHeld = false
    private var idleExpiry: Scheduled<Void>?

    init(pool: UpstreamPool, key: UpstreamPool.PeerKey, eventLoop: any EventLoop) {
        self.pool = pool
        self.key = key
        self.eventLoop = eventLoop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Starts an exchange: head, body and end in one flush. False when the connection is gone
    /// (the pool then takes another).
    func send(_ head: HTTPRequestHead, body: ByteBuffer, receiver: UpstreamExchange.Receiver) -> Bool {
        guard let context, context.channel.isActive, self.receiver == nil else { return false }
        idleExpiry?.cancel()
        idleExpiry = nil
        let connection = NIOLoopBound(self, eventLoop: eventLoop)
        let exchange = ObjectIdentifier(receiver)
        guard receiver.attach(abort: { [eventLoop] in eventLoop.execute { connection.value.abort(exchange) } }) else {
            // Given up on before it was sent: the connection is as good as before.
            becomeIdle()
            return true
        }
        self.receiver = receiver
        keepAlive = true
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        return true
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // An interim answer (`100 Continue`, `103 Early Hints`) is not the response.
            guard head.status.code >= 200 else { return }
            keepAlive = head.isKeepAlive
            receiver?.received(head)
        case .body(let buffer):
            guard let pause = receiver?.received(buffer) else { return }
            readPaused = true
            pause.assumeIsolated().whenComplete { [self] _ in resumeReading() }
        case .end:
            guard let receiver else { return }
            self.receiver = nil
            // Back in the pool before the reader hears of the end, so its next request finds it.
            if keepAlive { becomeIdle() } else { context.close(promise: nil) }
            receiver.finish(.success(()))
        }
    }

    func read(context: ChannelHandlerContext) {
        if readPaused { readHeld = true } else { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? IdleStateHandler.IdleStateEvent, event == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // An unused connection expires on its own schedule; a silent peer mid-answer is cut.
        guard let receiver else { return }
        self.receiver = nil
        receiver.fail(UpstreamFailure.readTimeout)
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let receiver = self.receiver
        self.receiver = nil
        receiver?.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleExpiry?.cancel()
        idleExpiry = nil
        pool.remove(self, key: key)
        let receiver = self.receiver
        self.receiver = nil
        receiver?.fail(UpstreamFailure.connectionClosed)
        context.fireChannelInactive()
    }

    /// The reader gave up or a deadline passed: the rest of the response is not wanted (unless
    /// it already came, and the connection went on to another exchange).
    private func abort(_ exchange: ObjectIdentifier) {
        guard let receiver, ObjectIdentifier(receiver) == exchange else { return }
        self.receiver = nil
        context?.close(promise: nil)
    }

    private func resumeReading() {
        readPaused = false
        if readHeld, let context {
            readHeld = false
            context.read()
        }
    }

    private func becomeIdle() {
        resumeReading()
        guard pool.checkIn(self, key: key) else {
            context?.close(promise: nil)
            return
        }
        idleExpiry = eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(pool.configuration.idleTimeout)) { [self] in
            pool.remove(self, key: key)
            context?.close(promise: nil)
        }
    }
}
