import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SwitchyardCore

/// Answers a request head NIO's parser refuses (a field past ``headerLimits``, a malformed request
/// line) with an OpenAI error body and closes the connection: Hummingbird's own answer is a 400
/// with no body, which clients cannot tell from any other failure.
///
/// A parser error once a request's head has been read (a broken chunked body) is left to the
/// request's handler, which is already answering it.
final class HeadErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var requestInProgress = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { requestInProgress = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { requestInProgress = false }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !requestInProgress else {
            context.fireErrorCaught(error)
            return
        }
        let answer = Self.answer(to: parserError).answer(closing: true)
        context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    static func answer(to error: HTTPParserError) -> OpenAIError {
        if error == .headerOverflow {
            return OpenAIError(
                status: .init(code: 431, reasonPhrase: "Request Header Fields Too Large"),
                message: "The request's header fields are too large: at most \(headerLimits.maxHeaderFieldSize) bytes a field, \(headerLimits.maxHeaderListSize) in all and \(headerLimits.maxHeaderFieldCount) fields.",
                code: "request_header_fields_too_large"
            )
        }
        return .invalidHTTP(error)
    }
}
