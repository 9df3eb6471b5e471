import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird app of the test's own on 127.0.0.1, for peers a test plays itself.
///
/// It stops by graceful shutdown when released, never by cancelling its task: a cancelled
/// server can drop a connection it accepted but had not yet served, and NIO traps on that
/// ("Deinited NIOAsyncWriter without calling finish()", swift-nio #3481), which killed the
/// whole test run when a daemon under test still connected to a peer the test had let go.
final class InProcessServer: Sendable {
    let url: String
    private let group: ServiceGroup

    private init(url: String, group: ServiceGroup) {
        self.url = url
        self.group = group
    }

    deinit {
        Task { [group] in await group.triggerGracefulShutdown() }
    }

    static func start(_ router: Router<BasicRequestContext>, label: String) async throws -> InProcessServer {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        Task {
            try? await group.run()
            portContinuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return InProcessServer(url: "http://127.0.0.1:\(port)", group: group)
    }
}
