import NIOCore

/// Sent down a server connection's pipeline when the server starts shutting down, for the
/// handlers behind Hummingbird's connection state handler, which keeps `ChannelShouldQuiesceEvent`
/// to itself: a stream that would otherwise outlive the shutdown ends its answer.
public struct ServerQuiescing: Sendable {
    public init() {}
}

/// Turns `ChannelShouldQuiesceEvent` into ``ServerQuiescing`` ahead of it; sits in front of
/// Hummingbird's connection state handler.
public final class QuiesceSignal: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = NIOAny

    public init() {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { context.fireUserInboundEventTriggered(ServerQuiescing()) }
        context.fireUserInboundEventTriggered(event)
    }
}
