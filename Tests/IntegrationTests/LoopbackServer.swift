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
    private let server: InProcessServer

    var hits: Int { counter.count.withLock { $0 } }

    private init(url: String, counter: Counter, server: InProcessServer) {
        self.url = url
        self.counter = counter
        self.server = server
    }

    static func start(_ answer: @escaping @Sendable (Request) -> Answer) async throws -> LoopbackServer {
        let counter = Counter()
        let router = Router()
        for method in [HTTPRequest.Method.get, .post] {
            router.on("**", method: method) { request, _ in
                counter.count.withLock { $0 += 1 }
                return respond(answer(request))
            }
        }
        let server = try await InProcessServer.start(router, label: "loopback-peer")
        return LoopbackServer(url: server.url, counter: counter, server: server)
    }

    private static func respond(_ answer: Answer) -> Response {
        var headers = answer.headers
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
