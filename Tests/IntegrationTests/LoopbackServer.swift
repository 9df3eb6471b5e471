import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A peer of the test's own on 127.0.0.1 — a rogue worker, a misbehaving upstream — answering
/// every request with `answer`, and counting what it was sent.
final class LoopbackServer: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        var headers: HTTPFields = [:]
        var body: String = ""
    }

    private final class Counter: Sendable {
        let count = Mutex(0)
    }

    let url: String
    private let counter: Counter
    private let task: Task<Void, any Error>

    var hits: Int { counter.count.withLock { $0 } }

    private init(url: String, counter: Counter, task: Task<Void, any Error>) {
        self.url = url
        self.counter = counter
        self.task = task
    }

    deinit { task.cancel() }

    static func start(_ answer: @escaping @Sendable (Request) -> Answer) async throws -> LoopbackServer {
        let counter = Counter()
        let router = Router()
        for method in [HTTPRequest.Method.get, .post] {
            router.on("**", method: method) { request, _ in
                counter.count.withLock { $0 += 1 }
                return respond(answer(request))
            }
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "loopback-peer")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let task = Task { try await app.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return LoopbackServer(url: "http://127.0.0.1:\(port)", counter: counter, task: task)
    }

    private static func respond(_ answer: Answer) -> Response {
        var headers = answer.headers
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
