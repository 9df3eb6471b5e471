import HTTPTypes
import NIOCore
import NIOHTTPTypes
import SwitchyardCore

/// Enforces ``RequestAdmission`` and ``ConnectionDeadlines`` on one HTTP/1 connection; sits
/// between the HTTP codec and Hummingbird's connection handler.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var deadlines: ConnectionDeadlines
    private let maxBodySize: Int
    /// After a 413 sent at the head: the rest of that request is read and dropped.
    private var refusing = false
    private var timer: Scheduled<Void>?
    private var timerDeadline: ContinuousClock.Instant?

    init(limits: ServerLimits) {
        self.deadlines = ConnectionDeadlines(requestTimeout: limits.requestTimeout, writeTimeout: limits.writeTimeout)
        self.maxBodySize = limits.maxBodySize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if refusing {
            if case .end = part { context.close(promise: nil) }
            return
        }
        switch part {
        case .head(let head):
            deadlines.requestHead(at: .now)
            schedule(context)
            switch RequestAdmission(head, maxBodySize: maxBodySize) {
            case .tooLarge(let announced):
                refuse(announced: announced, context: context)
                return
            case .proceedAfterContinue:
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            case .proceed:
                break
            }
        case .body:
            break
        case .end:
            deadlines.requestEnd()
            schedule(context)
        }
        context.fireChannelRead(data)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        deadlines.writability(context.channel.isWritable, at: .now)
        schedule(context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    /// Answers 413 and stops sending; the body the client may still send is read and dropped
    /// until it ends or the request deadline passes (closing at once would reset the connection
    /// and lose the answer).
    private func refuse(announced: Int, context: ChannelHandlerContext) {
        refusing = true
        let answer = OpenAIError.requestTooLarge(limit: maxBodySize, announced: announced).answer(closing: true)
        context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
    }

    /// Keeps one timer at or before the earliest deadline. A timer that is earlier is kept: when it
    /// fires it finds nothing overdue and moves on, which costs less than moving it with every
    /// request (each request sets a deadline at its head and lifts it at its end).
    private func schedule(_ context: ChannelHandlerContext) {
        guard let deadline = deadlines.deadline else { return }
        if let timerDeadline, timerDeadline <= deadline { return }
        cancelTimer()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(deadline - .now)) {
            self.timer = nil
            self.timerDeadline = nil
            if self.deadlines.isOverdue(at: .now) {
                context.close(promise: nil)
            } else {
                self.schedule(context)
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }
}
