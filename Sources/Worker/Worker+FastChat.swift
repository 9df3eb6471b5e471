import Backends
import Conversation
import FastChatAdapter
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore

/// FastChat's worker API in front of any backend, so FastChat's `openai_api_server` and Gradio UI
/// use a Switchyard worker unchanged: the prompt FastChat builds from ``WorkerConfiguration/conversationTemplate``
/// goes to the backend's `/v1/completions`; generation runs under the same limit and FIFO queue
/// as the OpenAI routes.
extension Worker {
    /// FastChat's requests are a prompt and a few numbers; 16 MB holds any context window's prompt.
    static let fastChatBodyLimit = 16 << 20
    /// Embedding answers: 2048 inputs of 8192 floats as JSON text fit.
    static let embeddingsBodyLimit = 256 << 20

    func addFastChatRoutes<Context: RequestContext>(to router: Router<Context>) {
        let worker = self
        router.post("worker_generate_stream") { request, _ in try await worker.fastChatGenerate(request, streaming: true) }
        router.post("worker_generate") { request, _ in try await worker.fastChatGenerate(request, streaming: false) }
        router.post("worker_get_embeddings") { request, _ in try await worker.fastChatEmbeddings(request) }
        router.post("worker_get_conv_template") { _, _ in
            try Response.json(["conv": worker.configuration.conversationTemplate])
        }
        router.post("model_details") { _, _ in
            try Response.json(["context_length": await worker.contextLength()])
        }
        router.post("count_token") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: Self.fastChatBodyLimit)
            guard let prompt = (try? JSONValue(parsing: body))?["prompt"]?.string else {
                return Self.failureResponse(FastChatFailure(.validationTypeError, "'prompt' must be a string."), streaming: false)
            }
            let backendCount = await (worker.backend as? any BackendIntrospection)?.countTokens(prompt)
            return try Response.json(["count": backendCount ?? FastChatGeneration.estimatedTokens(prompt), "error_code": 0])
        }
    }

    /// The backend's context length if it says, else `--context-length` (FastChat's 2048 by default).
    func contextLength() async -> Int {
        if let configured = configuration.contextLength { return configured }
        return await (backend as? any BackendIntrospection)?.contextLength() ?? WorkerConfiguration.fastChatContextLength
    }

    func fastChatGenerate(_ request: Request, streaming: Bool) async throws -> Response {
        let started = ContinuousClock.now
        let generation: FastChatGeneration
        let slot: ReleaseOnce
        let response: BackendResponse
        do {
            guard state == .ready else {
                throw FastChatFailure(.engineOverloaded, "This worker is draining and takes no new requests.")
            }
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.fastChatBodyLimit)
            } catch {
                throw FastChatFailure(.paramOutOfRange, "The request body is larger than \(Self.fastChatBodyLimit) bytes.")
            }
            generation = try FastChatGeneration(parsing: body)
            let model = generation.model.flatMap { configuration.modelNames.contains($0) ? $0 : nil } ?? configuration.modelNames[0]
            slot = try await limiter.acquire()
            do {
                response = try await backend.respond(
                    to: BackendRequest(endpoint: .completions, body: generation.completionsBody(model: model), requestID: RequestID.current ?? "", headers: request.headers)
                )
                guard response.status == .ok else { throw await Self.failure(ofBackendAnswer: response) }
            } catch {
                slot()
                throw error
            }
        } catch {
            let failure = Self.fastChatFailure(error)
            recordAnswer(status: Int(failure.status.code))
            WorkerMetrics.answered(.completions, status: Int(failure.status.code), duration: .now - started)
            return Self.failureResponse(failure, streaming: streaming)
        }

        let worker = self
        @Sendable func answered(_ status: Int) {
            slot()
            worker.recordAnswer(status: status)
            WorkerMetrics.answered(.completions, status: status, duration: .now - started)
        }
        let backendBody = response.body
        guard streaming else {
            let relay = FastChatRelay(stream: Self.stream(for: generation))
            try? await relay.run(backendBody)
            if let failure = relay.stream.failure {
                answered(Int(failure.status.code))
                return Self.failureResponse(failure, streaming: false)
            }
            answered(200)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: relay.stream.finish().dropLastNUL()))
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/octet-stream"],
            body: ResponseBody { writer in
                var status = 200
                defer { answered(status) }
                do {
                    // A copy of the writer takes the chunks as they come; this one the last and the end.
                    let last = try await Self.relay(backendBody, generation: generation, to: writer)
                    try await writer.write(last)
                    try await writer.finish(nil)
                } catch {
                    status = FailureStatus.of(error)
                    throw error
                }
            }
        )
    }

    static func stream(for generation: FastChatGeneration) -> FastChatStream {
        FastChatStream(prompt: generation.prompt, echo: generation.echo, stops: generation.stop, logprobs: generation.logprobs != nil)
    }

    /// Feeds the backend's stream through ``FastChatStream``, writing each chunk due to `client`;
    /// returns the last chunk (or the error chunk the stream ended with). Throws only what writing
    /// to the client threw: the client is gone, and the backend has been told to stop.
    static func relay(_ body: ResponseBody, generation: FastChatGeneration, to client: any ResponseBodyWriter) async throws -> ByteBuffer {
        let relay = FastChatRelay(stream: stream(for: generation))
        do {
            try await relay.run(body, to: client)
        } catch {
            throw error.error
        }
        if let failure = relay.stream.failure { return FastChatStream.errorChunk(failure) }
        return relay.stream.finish()
    }

    func fastChatEmbeddings(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        do {
            var request = request
            let body = try await request.collectBody(upTo: Self.fastChatBodyLimit)
            guard let fields = (try? JSONValue(parsing: body))?.object, let inputs = fields["input"]?.array,
                !inputs.isEmpty, inputs.count <= 2048, inputs.allSatisfy({ $0.string?.isEmpty == false })
            else {
                throw FastChatFailure(.validationTypeError, "'input' must be a list of 1 to 2048 non-empty strings.")
            }
            let base64 = fields["encoding_format"]?.string == "base64"
            let model = fields["model"]?.string.flatMap { configuration.modelNames.contains($0) ? $0 : nil } ?? configuration.modelNames[0]
            let upstreamBody = try JSONEncoder.switchyard.encode(EmbeddingsRequest(model: model, input: inputs.compactMap(\.string)))
            let slot = try await limiter.acquire()
            defer { slot() }
            let response = try await backend.respond(to: BackendRequest(endpoint: .embeddings, body: ByteBuffer(data: upstreamBody), requestID: RequestID.current ?? ""))
            guard response.status == .ok else { throw await Self.failure(ofBackendAnswer: response) }
            let answer = try JSONValue(parsing: await Self.collect(response, upTo: Self.embeddingsBodyLimit))
            guard let data = answer["data"]?.array else { throw FastChatFailure.backend("The backend's embeddings answer has no data.") }
            let vectors = data.map { item in (item["embedding"]?.array ?? []).compactMap(\.number) }
            let tokens = min(max(answer["usage"]?["prompt_tokens"]?.integer ?? 0, 0), FastChatStream.tokenLimit)
            recordAnswer(status: 200)
            WorkerMetrics.answered(.embeddings, status: 200, duration: .now - started)
            if base64 {
                return try Response.json(FastChatEmbeddings(embedding: vectors.map(Self.base64Float32), tokenNum: tokens))
            }
            return try Response.json(FastChatEmbeddings(embedding: vectors, tokenNum: tokens))
        } catch {
            let failure = Self.fastChatFailure(error)
            recordAnswer(status: Int(failure.status.code))
            WorkerMetrics.answered(.embeddings, status: Int(failure.status.code), duration: .now - started)
            return Self.failureResponse(failure, streaming: false)
        }
    }

    /// FastChat's base64 embedding: the little-endian float32 bytes.
    static func base64Float32(_ vector: [Double]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }

    static func failureResponse(_ failure: FastChatFailure, streaming: Bool) -> Response {
        Response(
            status: failure.status,
            headers: [.contentType: streaming ? "application/octet-stream" : "application/json"],
            body: .init(byteBuffer: streaming ? FastChatStream.errorChunk(failure) : failure.json)
        )
    }

    /// Any error on FastChat's routes in FastChat's terms.
    static func fastChatFailure(_ error: any Error) -> FastChatFailure {
        switch error {
        case let failure as FastChatFailure: failure
        case let error as OpenAIError: failure(status: error.status, code: error.code, message: error.message)
        default: .backend("\(error)")
        }
    }

    static func failure(status: HTTPResponse.Status, code: String?, message: String) -> FastChatFailure {
        switch (status.code, code) {
        case (_, "context_length_exceeded"?): FastChatFailure(.contextOverflow, message)
        case (400..<500, _): FastChatFailure(status == .tooManyRequests ? .engineOverloaded : .paramOutOfRange, message)
        case (503, _): FastChatFailure(.engineOverloaded, message)
        default: .backend(message)
        }
    }

    /// A backend's non-200 answer as a FastChat failure, its OpenAI error read when it has one.
    static func failure(ofBackendAnswer response: BackendResponse) async -> FastChatFailure {
        let body = await collect(response, upTo: 64 << 10)
        let error = (try? JSONValue(parsing: body))?["error"]
        let message = error?["message"]?.string ?? String(buffer: body)
        return failure(status: response.status, code: error?["code"]?.string, message: String(message.prefix(1000)))
    }

    /// A backend's whole answer, at most `limit` bytes of it.
    static func collect(_ response: BackendResponse, upTo limit: Int) async -> ByteBuffer {
        if let whole = response.whole { return whole }
        let collector = Collector(limit: limit)
        try? await response.body.write(Collector.Writer(collector: collector))
        return collector.buffer
    }
}

private struct EmbeddingsRequest: Encodable {
    var model: String
    var input: [String]
}

private struct FastChatEmbeddings<Vector: Encodable>: Encodable {
    var embedding: [Vector]
    var tokenNum: Int

    enum CodingKeys: String, CodingKey {
        case embedding
        case tokenNum = "token_num"
    }
}

/// Gathers a body up to a limit.
private final class Collector {
    let limit: Int
    var buffer = ByteBuffer()

    init(limit: Int) { self.limit = limit }

    struct Writer: ResponseBodyWriter {
        let collector: Collector

        mutating func write(_ chunk: ByteBuffer) async throws {
            var chunk = chunk
            guard collector.buffer.readableBytes + chunk.readableBytes <= collector.limit else { throw CancellationError() }
            collector.buffer.writeBuffer(&chunk)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

extension ByteBuffer {
    /// The chunk without its NUL terminator: `/worker_generate`'s one object.
    fileprivate func dropLastNUL() -> ByteBuffer {
        getSlice(at: readerIndex, length: Swift.max(readableBytes - 1, 0)) ?? self
    }
}
