import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

/// A server child channel whose connection task prefers the event loop that owns its socket.
///
/// Hummingbird runs each connection in a task on Swift's cooperative pool, while its socket and
/// the outbound client's connections live on NIO's event loops: every read, write and upstream
/// reply then crosses threads. With the connection's task pinned to its own loop (and the
/// outbound client asked for a connection on "any" loop, which NIO answers with the current
/// one), a relayed request is read, forwarded, answered and written on one thread.
struct EventLoopPinnedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    /// Also makes the peer's address known to the connection's requests (``ConnectionPeer``).
    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: value.channel.eventLoop)) {
            await ConnectionPeer.$address.withValue(value.channel.remoteAddress) {
                await base.handle(value: value, logger: logger)
            }
        }
    }
}
