import Hummingbird
import HummingbirdCore
import Logging
import Testing

/// Runs a Hummingbird server for `router` on 127.0.0.1 (a free port) while `test` runs, and
/// hands `test` the port.
func withLoopbackApplication(
    _ router: Router<BasicRequestContext>,
    server: HTTPServerBuilder = .http1(),
    _ test: (Int) async throws -> Void
) async throws {
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "loopback-server")
    logger.logLevel = .critical
    let app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
        logger: logger
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        defer { group.cancelAll() }
        var portIterator = ports.makeAsyncIterator()
        try await test(try #require(await portIterator.next()))
    }
}
