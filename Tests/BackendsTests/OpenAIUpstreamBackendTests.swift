import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import Testing

@testable import Backends

/// A recorded upstream answer, replayed by a real HTTP server in small pieces so that events
/// arrive split as they would off the network.
struct Replay: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [:]
    var contentType: String
    var body: [UInt8]
    var pieceSize = 7

    static func fixture(_ name: String, status: HTTPResponse.Status = .ok) throws -> Replay {
        let contentType = name.hasSuffix(".txt") ? "text/event-stream" : name.hasSuffix(".html") ? "text/html" : "application/json"
        return Replay(status: status, contentType: contentType, body: try Fixture.bytes(name))
    }
}

/// What the upstream was asked.
actor UpstreamLog {
    private(set) var requests: [(path: String, body: String)] = []
    func record(path: String, body: String) { requests.append((path, body)) }
}

/// Runs a Hummingbird server on 127.0.0.1, on a free port, answering every OpenAI POST with
/// `replay`, and hands `test` an ``OpenAIUpstreamBackend`` pointed at it over a real HTTP client.
func withUpstream<Value: Sendable>(
    replaying replay: Replay,
    _ test: @Sendable (OpenAIUpstreamBackend, UpstreamLog) async throws -> Value
) async throws -> Value {
    let log = UpstreamLog()
    let router = Router()
    for path in ["v1/chat/completions", "v1/completions", "v1/embeddings"] {
        router.post(RouterPath(path)) { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            await log.record(path: request.uri.path, body: String(buffer: body))
            var headers = replay.headers
            headers[.contentType] = replay.contentType
            return Response(
                status: replay.status,
                headers: headers,
                body: ResponseBody { writer in
                    for start in stride(from: 0, to: replay.body.count, by: replay.pieceSize) {
                        try await writer.write(ByteBuffer(bytes: replay.body[start..<min(start + replay.pieceSize, replay.body.count)]))
                    }
                    try await writer.finish(nil)
                }
            )
        }
    }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "replaying-upstream")
    logger.logLevel = .critical
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
        logger: logger
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        defer { group.cancelAll() }
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())
        let httpClient = HTTPClient.makeSwitchyardClient()
        do {
            let backend = OpenAIUpstreamBackend(upstream: "http://127.0.0.1:\(port)", httpClient: httpClient)
            let value = try await test(backend, log)
            try await httpClient.shutdown()
            return value
        } catch {
            try await httpClient.shutdown()
            throw error
        }
    }
}

extension OpenAIUpstreamBackend {
    /// The whole answer to one request, as the worker would send it on.
    func answer(_ json: String, endpoint: Endpoint = .chatCompletions) async throws -> (BackendResponse, String) {
        let response = try await respond(to: BackendRequest(endpoint: endpoint, body: ByteBuffer(string: json), requestID: "req_test"))
        let collector = CollectingWriter()
        try await response.body.write(collector)
        return (response, await collector.text)
    }
}

@Suite struct OpenAIUpstreamBackendTests {
    static let streamRequest = #"{"model":"llama3.2","stream":true,"max_completion_tokens":32,"messages":[{"role":"user","content":"Hi"}]}"#
    static let plainRequest = #"{"model":"m","messages":[{"role":"user","content":"Hi"}]}"#

    /// The error a request fails with, or nil when it succeeds.
    func failure(of replay: Replay, request: String = plainRequest) async throws -> OpenAIError? {
        try await withUpstream(replaying: replay) { backend, _ in
            do {
                _ = try await backend.answer(request)
                return nil
            } catch let error as OpenAIError {
                return error
            }
        }
    }

    @Test func ollamaStreamCarriesRoleOnceAndGetsMaxTokens() async throws {
        try await withUpstream(replaying: try .fixture("ollama-stream-role.txt")) { backend, log in
            let (response, text) = try await backend.answer(Self.streamRequest)
            #expect(response.status == .ok)
            #expect(response.contentType == "text/event-stream")
            let stream = NormalisedStream(Array(text.utf8))
            #expect(stream.isCleanlyFramed)
            #expect(stream.roles == ["assistant"])
            #expect(stream.content == "Hello! How can I help?")
            #expect(stream.events.last == "[DONE]")
            let sent = await log.requests
            #expect(sent.map(\.path) == ["/v1/chat/completions"])
            #expect(sent.first?.body == #"{"max_tokens":32,"# + Self.streamRequest.dropFirst())
        }
    }

    @Test func llamaCppErrorFieldArrivesAsADataErrorEvent() async throws {
        try await withUpstream(replaying: try .fixture("llamacpp-stream-error.txt")) { backend, _ in
            let (response, text) = try await backend.answer(Self.streamRequest)
            #expect(response.status == .ok)
            let stream = NormalisedStream(Array(text.utf8))
            #expect(stream.isCleanlyFramed)
            #expect(stream.content == "Once upon")
            #expect(stream.errors.map(\.type) == ["server_error"])
            #expect(text.contains(#"data: {"error":{"code":null,"message":"Input prompt is too big"#))
        }
    }

    @Test func tgiOverloadIsA503WithRetryAfter() async throws {
        var asked = try Replay.fixture("tgi-overloaded.json", status: .tooManyRequests)
        asked.headers[.retryAfter] = "3"
        for (replay, retryAfter) in [(asked, Duration.seconds(3)), (try .fixture("tgi-stream-overloaded.txt"), .seconds(1))] {
            let error = try #require(try await failure(of: replay, request: Self.streamRequest))
            #expect(error.status == .serviceUnavailable)
            #expect(error.retryAfter == retryAfter)
            #expect(error.message == "Model is overloaded")
        }
    }

    @Test func tgiValidationErrorStaysA4xx() async throws {
        let error = try #require(try await failure(of: try .fixture("tgi-error.json", status: .unprocessableContent)))
        #expect(error.status == .unprocessableContent)
        #expect(error.type == "invalid_request_error")
    }

    @Test func vLLMNumericCodeBecomesAStringOrNull() async throws {
        let context = try #require(try await failure(of: try .fixture("vllm-error.json", status: .badRequest)))
        #expect(context.status == .badRequest)
        #expect(context.type == "invalid_request_error")
        #expect(context.code == "context_length_exceeded")
        let notFound = try #require(try await failure(of: try .fixture("vllm-flat-error.json", status: .notFound)))
        #expect(notFound.status == .notFound)
        #expect(notFound.code == nil)
        #expect(notFound.type == "invalid_request_error")
    }

    @Test func errorBodyWithA200BecomesANon2xx() async throws {
        let vLLM = try #require(try await failure(of: try .fixture("ok-200-error-body.json")))
        #expect(vLLM.status == .internalServerError)
        #expect(vLLM.type == "server_error")
        let tgi = try #require(try await failure(of: try .fixture("ok-200-tgi-error.json")))
        #expect(tgi.status == .badGateway)
    }

    @Test func nonJSONErrorPageKeepsItsStatusAndText() async throws {
        let error = try #require(try await failure(of: try .fixture("nginx-502.html", status: .badGateway)))
        #expect(error.status == .badGateway)
        #expect(error.message.contains("502 Bad Gateway"))
    }

    @Test func completionsStreamIsNormalisedOnItsOwnPath() async throws {
        try await withUpstream(replaying: try .fixture("completions-stream-without-done.txt")) { backend, log in
            let (_, text) = try await backend.answer(#"{"model":"m","prompt":"The capital of France is","stream":true}"#, endpoint: .completions)
            #expect(NormalisedStream(Array(text.utf8)).events.last == "[DONE]")
            #expect(await log.requests.map(\.path) == ["/v1/completions"])
        }
    }

    @Test func largeEmbeddingsAnswerIsRelayedUnchanged() async throws {
        let vector = (0..<12_000).map { String(format: "%.6f", Double($0) / 12_000) }.joined(separator: ",")
        let body = #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":["# + vector + #"]}],"model":"bge-m3","usage":{"prompt_tokens":3,"total_tokens":3}}"#
        #expect(body.utf8.count > OpenAIUpstreamBackend.errorBodyLimit)
        let replay = Replay(contentType: "application/json", body: Array(body.utf8), pieceSize: 4096)
        try await withUpstream(replaying: replay) { backend, log in
            let (response, text) = try await backend.answer(#"{"model":"bge-m3","input":"a b c"}"#, endpoint: .embeddings)
            #expect(response.status == .ok)
            #expect(text == body)
            #expect(await log.requests.map(\.path) == ["/v1/embeddings"])
        }
    }

    /// llama-cpp-python cuts a stream short when any other request waits, a probe included.
    @Test func anUpstreamThatJustAnsweredIsNotProbed() async throws {
        try await withUpstream(replaying: try .fixture("ollama-stream-role.txt")) { backend, _ in
            // This upstream has no `GET /v1/models`: whenever it is probed, it looks down.
            #expect(await backend.isHealthy() == false)
            _ = try await backend.answer(Self.streamRequest)
            #expect(await backend.isHealthy())
            #expect(await backend.probe() == false)
        }
    }

    @Test func anUnreachableUpstreamIsProbedAgainAtOnce() async throws {
        let httpClient = HTTPClient.makeSwitchyardClient()
        let backend = OpenAIUpstreamBackend(upstream: "http://127.0.0.1:1", httpClient: httpClient)
        backend.activity.heard()
        #expect(await backend.isHealthy())
        _ = try? await backend.answer(Self.plainRequest)
        #expect(await backend.isHealthy() == false)
        try await httpClient.shutdown()
    }

    @Test func unreachableUpstreamIsABadGateway() async throws {
        let httpClient = HTTPClient.makeSwitchyardClient()
        let backend = OpenAIUpstreamBackend(upstream: "http://127.0.0.1:1", httpClient: httpClient)
        let error = await #expect(throws: OpenAIError.self) {
            _ = try await backend.answer(Self.plainRequest)
        }
        #expect(error?.status == .badGateway)
        try await httpClient.shutdown()
    }
}
