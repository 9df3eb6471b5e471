import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

/// Admits a listener's connections through its ``ConnectionGate``: past the limit a connection
/// is answered 503 (plain HTTP) or closed (TLS, whose handshake has not started) as soon as it is
/// active, and nothing it sends is read.
struct GatedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let gate: ConnectionGate
    let isTLS: Bool

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = gate.admit()
        if admitted {
            let gate = self.gate
            channel.closeFuture.whenComplete { _ in gate.release() }
        } else {
            logger.debug("connection refused: every place is taken", metadata: ["limit": "\(gate.limit)"])
        }
        // The channel is not active yet: a refusal is written by a handler in front of all others
        // once it is; the connection's task then sees its input end at once.
        return base.setup(channel: channel, logger: logger).flatMapThrowing { [isTLS] value in
            if !admitted {
                try channel.pipeline.syncOperations.addHandler(RefusalHandler(answer: isTLS ? nil : RefusalHandler.serviceUnavailable), position: .first)
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Answers a refused connection (or just closes it) and drops whatever it sends.
final class RefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let answer: ByteBuffer?

    init(answer: ByteBuffer?) {
        self.answer = answer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        guard let answer else {
            context.close(promise: nil)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(answer), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    static var serviceUnavailable: ByteBuffer {
        let body = OpenAIError(
            status: .serviceUnavailable,
            message: "This server has as many connections open as it allows; retry shortly.",
            code: "too_many_connections",
            retryAfter: .seconds(1)
        ).jsonBody()
        return ByteBuffer(
            string: "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: \(body.count)\r\n"
                + "retry-after: 1\r\nconnection: close\r\n\r\n" + String(decoding: body, as: UTF8.self)
        )
    }
}
