import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
@testable import SwitchyardCore
import Testing

/// What the loopback server's answers share with the test: whether the endless answer was cut
/// off by its client, and whether the paused answer may go on.
actor ServerState {
    private(set) var chunksWritten = 0
    private(set) var clientLeft = false
    private(set) var pauseOver = false

    func wrote() { chunksWritten += 1 }
    func left() { clientLeft = true }
    func endPause() { pauseOver = true }
}

/// Runs a Hummingbird server on 127.0.0.1 (a free port) with the answers the tests read, and
/// hands `test` its base URL and a client.
func withExchangeServer(
    pool: UpstreamPool = UpstreamPool(),
    _ test: @Sendable (String, UpstreamPool, ServerState) async throws -> Void
) async throws {
    let server = ServerState()
    let router = Router()
    router.post("chunks") { _, _ in
        Response(
            status: .ok,
            body: ResponseBody { writer in
                for piece in ["one ", "two ", "three"] {
                    try await writer.write(ByteBuffer(string: piece))
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await writer.finish(nil)
            }
        )
    }
    router.post("big") { _, _ in
        Response(
            status: .ok,
            body: ResponseBody { writer in
                // 2 MiB of numbered 16 KiB pieces, far past the reader's buffer limit.
                for index in 0..<128 {
                    try await writer.write(ByteBuffer(repeating: UInt8(index), count: 16 << 10))
                }
                try await writer.finish(nil)
            }
        )
    }
    router.post("endless") { _, _ in
        Response(
            status: .ok,
            body: ResponseBody { writer in
                do {
                    while true {
                        try await writer.write(ByteBuffer(string: "tick "))
                        await server.wrote()
                        try await Task.sleep(for: .milliseconds(20))
                    }
                } catch {
                    await server.left()
                    throw error
                }
            }
        )
    }
    router.post("pause") { _, _ in
        Response(
            status: .ok,
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "before "))
                // Silent until the test has seen the silence (at most 10 s), however slow the machine.
                for _ in 0..<1000 where await !server.pauseOver { try await Task.sleep(for: .milliseconds(10)) }
                try await writer.write(ByteBuffer(string: "after"))
                try await writer.finish(nil)
            }
        )
    }
    router.post("slow-head") { _, _ in
        try await Task.sleep(for: .seconds(30))
        return Response(status: .ok)
    }
    router.post("closing") { _, _ in
        Response(status: .ok, headers: [.connection: "close"], body: .init(byteBuffer: ByteBuffer(string: "bye")))
    }
    router.post("failing") { _, _ in
        Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "busy")))
    }
    try await withLoopbackApplication(router) { port in
        try await test("http://127.0.0.1:\(port)", pool, server)
    }
}

@Suite struct UpstreamExchangeTests {
    static func post(_ url: String, _ pool: UpstreamPool, headTimeout: Duration = .seconds(10)) throws -> UpstreamExchange {
        try UpstreamExchange(pool: pool, url: url, headers: [:], body: ByteBuffer(string: "{}"), headTimeout: headTimeout)
    }

    @Test func readsTheHeadThenEveryChunkThenTheEnd() async throws {
        try await withExchangeServer { base, pool, _ in
            let exchange = try Self.post(base + "/chunks", pool)
            #expect(try await exchange.head().status == .ok)
            var text = ""
            while let chunk = try await exchange.next() { text += String(buffer: chunk) }
            #expect(text == "one two three")
            #expect(try await exchange.next() == nil)
        }
    }

    @Test func aBodyPastTheBufferLimitArrivesWholeAndInOrderForASlowReader() async throws {
        try await withExchangeServer { base, pool, _ in
            let exchange = try Self.post(base + "/big", pool)
            _ = try await exchange.head()
            // Let the server fill the buffer past its limit before reading, so reading pauses and resumes.
            try await Task.sleep(for: .milliseconds(200))
            var body = ByteBuffer()
            while var chunk = try await exchange.next() { body.writeBuffer(&chunk) }
            #expect(body.readableBytes == 128 << 14)
            let pieces = stride(from: 0, to: body.readableBytes, by: 16 << 10).map { body.getInteger(at: $0, as: UInt8.self) }
            #expect(pieces == (0..<128).map { UInt8($0) })
            #expect(UpstreamExchange.bufferLimit < body.readableBytes)
        }
    }

    @Test func aReaderCancelledMidBodyEndsTheRequest() async throws {
        try await withExchangeServer { base, pool, server in
            let exchange = try Self.post(base + "/endless", pool)
            _ = try await exchange.head()
            let reader = Task {
                while try await exchange.next() != nil {}
            }
            try await Task.sleep(for: .milliseconds(100))
            reader.cancel()
            await #expect(throws: (any Error).self) { try await reader.value }
            for _ in 0..<100 where await !server.clientLeft { try await Task.sleep(for: .milliseconds(20)) }
            #expect(await server.clientLeft)
        }
    }

    @Test func aReaderThatLetsGoEndsTheRequest() async throws {
        try await withExchangeServer { base, pool, server in
            do {
                let exchange = try Self.post(base + "/endless", pool)
                _ = try await exchange.head()
                _ = try await exchange.next()
            }
            for _ in 0..<100 where await !server.clientLeft { try await Task.sleep(for: .milliseconds(20)) }
            #expect(await server.clientLeft)
        }
    }

    @Test func aSilenceEndsTheWaitAsQuietAndTheBodyCarriesOn() async throws {
        try await withExchangeServer { base, pool, server in
            let exchange = try Self.post(base + "/pause", pool)
            _ = try await exchange.head()
            var text = ""
            var quiets = 0
            reading: while true {
                switch try await exchange.next(within: .milliseconds(50)) {
                case .chunk(let chunk): text += String(buffer: chunk)
                case .quiet:
                    quiets += 1
                    await server.endPause()
                case .end: break reading
                }
            }
            #expect(text == "before after")
            #expect(quiets >= 1)
        }
    }

    @Test func aHeadLaterThanTheTimeoutFails() async throws {
        try await withExchangeServer { base, pool, _ in
            let exchange = try Self.post(base + "/slow-head", pool, headTimeout: .milliseconds(200))
            await #expect(throws: UpstreamFailure.headTimeout) { try await exchange.head() }
        }
    }

    @Test func anErrorStatusComesWithItsBody() async throws {
        try await withExchangeServer { base, pool, _ in
            let exchange = try Self.post(base + "/failing", pool)
            #expect(try await exchange.head().status == .serviceUnavailable)
            #expect(String(buffer: await exchange.collect(upTo: 1 << 20)) == "busy")
        }
    }

    @Test func aClosedPortFailsTheHead() async throws {
        try await withExchangeServer { _, pool, _ in
            // Port 9 (discard) is closed on a test machine's loopback: the connection is refused.
            let exchange = try Self.post("http://127.0.0.1:9/v1/chat/completions", pool)
            await #expect(throws: (any Error).self) { try await exchange.head() }
        }
    }

    /// Connections are kept per event loop: a pool on one loop shows the reuse.
    static func oneLoopPool(_ configuration: UpstreamPool.Configuration = .init()) -> UpstreamPool {
        UpstreamPool(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton.next())
    }

    @Test func answeredConnectionsAreKeptAndReused() async throws {
        try await withExchangeServer(pool: Self.oneLoopPool()) { base, pool, _ in
            for _ in 0..<3 {
                let exchange = try Self.post(base + "/chunks", pool)
                _ = try await exchange.head()
                _ = await exchange.collect(upTo: 1 << 20)
            }
            #expect(pool.idleConnections == 1)
        }
    }

    @Test func aConnectionThePeerClosesIsNotKept() async throws {
        try await withExchangeServer { base, pool, _ in
            let exchange = try Self.post(base + "/closing", pool)
            #expect(try await exchange.head().status == .ok)
            #expect(String(buffer: await exchange.collect(upTo: 1 << 20)) == "bye")
            #expect(pool.idleConnections == 0)
        }
    }

    @Test func unusedConnectionsExpire() async throws {
        try await withExchangeServer(pool: Self.oneLoopPool(.init(idleTimeout: .milliseconds(100)))) { base, pool, _ in
            let exchange = try Self.post(base + "/chunks", pool)
            _ = try await exchange.head()
            _ = await exchange.collect(upTo: 1 << 20)
            #expect(pool.idleConnections == 1)
            for _ in 0..<100 where pool.idleConnections > 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(pool.idleConnections == 0)
        }
    }

    @Test func aConnectionCutMidAnswerIsNotKept() async throws {
        try await withExchangeServer(pool: Self.oneLoopPool()) { base, pool, _ in
            let exchange = try Self.post(base + "/slow-head", pool, headTimeout: .milliseconds(100))
            await #expect(throws: UpstreamFailure.headTimeout) { try await exchange.head() }
            let next = try Self.post(base + "/chunks", pool)
            _ = try await next.head()
            _ = await next.collect(upTo: 1 << 20)
            #expect(pool.idleConnections == 1)
        }
    }

    @Test(arguments: ["ftp://127.0.0.1/x", "http://", "127.0.0.1:80", "http://127.0.0.1:99999/", "http://127.0.0.1:0/", "http://127.0.0.1:99999999999999999999999/", "http://127.0.0.1:-1/", "", "http://[::1"])
    func addressesThatAreNotHTTPAreRefused(_ url: String) {
        #expect(throws: UpstreamFailure.invalidURL) { try UpstreamPool.Target(url: url) }
    }

    @Test func targetsKeepPathQueryAndPort() throws {
        let target = try UpstreamPool.Target(url: "https://example.com/v1/chat?x=1")
        #expect(target.tls && target.port == 443 && target.path == "/v1/chat?x=1" && target.hostHeader == "example.com")
        let local = try UpstreamPool.Target(url: "http://[::1]:8080")
        #expect(local.host == "::1" && local.path == "/" && local.hostHeader == "[::1]:8080")
    }

    @Test func parsedURLsAreReusedAndStayBounded() throws {
        let pool = UpstreamPool()
        #expect(try pool.target(of: "http://127.0.0.1:8000/v1/x") == UpstreamPool.Target(url: "http://127.0.0.1:8000/v1/x"))
        #expect(throws: UpstreamFailure.invalidURL) { try pool.target(of: "http://127.0.0.1:99999999999999999999999/") }
        for port in 1...(UpstreamPool.maxCachedTargets + 10) {
            _ = try pool.target(of: "http://127.0.0.1:\(port)/")
        }
        #expect(pool.cachedTargets <= UpstreamPool.maxCachedTargets)
    }
}

/// Peers that do not speak HTTP: what they send is refused with an error, never a hang or a crash.
@Suite struct HostileUpstreamTests {
    /// Writes `reply` to every connection as it opens, then keeps it open.
    final class Replier: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let reply: ByteBuffer
        init(_ reply: ByteBuffer) { self.reply = reply }
        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(NIOAny(reply), promise: nil)
        }
    }

    static func withReplier(_ reply: ByteBuffer, _ test: (String) async throws -> Void) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Replier(reply)) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        do {
            try await test("http://127.0.0.1:\(server.localAddress?.port ?? 0)/v1/chat/completions")
        } catch {
            try? await server.close()
            throw error
        }
        try await server.close()
    }

    static let replies: [(String, ByteBuffer)] = [
        ("garbage", ByteBuffer(string: "\u{0}\u{1}garbage\r\n\r\n")),
        ("a bad content-length", ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: -12\r\n\r\nhello")),
        ("an endless header", ByteBuffer(string: "HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "a", count: 1 << 20))),
    ]

    @Test(arguments: 0..<3)
    func aPeerThatDoesNotSpeakHTTPFailsTheExchange(_ index: Int) async throws {
        try await Self.withReplier(Self.replies[index].1) { url in
            let exchange = try UpstreamExchange(pool: UpstreamPool(), url: url, headers: [:], body: ByteBuffer(string: "{}"), headTimeout: .seconds(20))
            await #expect(throws: (any Error).self, "\(Self.replies[index].0)") { try await exchange.head() }
        }
    }
}
