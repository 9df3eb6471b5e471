import AsyncHTTPClient
import Conversation
import FastChatAdapter
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore

extension Gateway {
    /// A worker call that went wrong: what the client hears, whether another worker may try, and
    /// whether the worker is to blame (its circuit breaker hears of it).
    struct FastChatCallFailure: Error {
        var error: OpenAIError
        var retryable: Bool
        var workerFault: Bool
    }

    /// One attempt on a FastChat worker, the protocol step of the relay: the OpenAI request made
    /// into FastChat's calls (template and context from the cache, `/count_token`, then
    /// `/worker_generate_stream` or `/worker_generate`, or `/worker_get_embeddings`), and the
    /// answer made into OpenAI's. Like ``attempt(_:on:path:requestID:)``, it returns once the
    /// client's first bytes are known, so failures before them are retried elsewhere.
    func attemptFastChat(_ body: ByteBuffer, on lease: Lease, path: String, requestID: String) async -> Attempt {
        do {
            let reply: WorkerReply
            if path == Endpoint.embeddings.path {
                reply = try await fastChatEmbeddings(body, on: lease, requestID: requestID)
            } else {
                reply = try await fastChatGeneration(body, endpoint: path == Endpoint.completions.path ? .completions : .chatCompletions, on: lease, requestID: requestID)
            }
            directory.record(success: true, for: lease.address)
            return .answered(reply)
        } catch let failure as FastChatCallFailure {
            if Task.isCancelled { return .failed(.badGateway("The request was cancelled."), retryable: false) }
            if failure.workerFault { noteFailure(of: lease.address, hard: false, error: failure.error, requestID: requestID) }
            return .failed(failure.error, retryable: failure.retryable)
        } catch let error as OpenAIError {
            return .failed(error, retryable: false)
        } catch {
            return .failed(.badGateway("The worker could not be reached."), retryable: true)
        }
    }

    private func fastChatGeneration(_ body: ByteBuffer, endpoint: Endpoint, on lease: Lease, requestID: String) async throws -> WorkerReply {
        let worker = try await fastChatWorker(lease, requestID: requestID)
        let job = try FastChatJob(body, endpoint: endpoint, template: worker.template, servedModel: lease.servedModel)
        var counts: [Int] = []
        for prompt in job.prompts {
            let answer = try await callFastChat("/count_token", FastChatPrompt(model: lease.servedModel, prompt: prompt), on: lease, requestID: requestID)
            counts.append(try Self.integer("count", in: answer))
        }
        let generations = try job.generations(promptTokens: counts, contextLength: worker.contextLength)
        let prefix = job.kind == .chat ? "chatcmpl-" : "cmpl-"
        var transcoder = FastChatTranscoder(job: job, id: prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(), created: Int(Date().timeIntervalSince1970))
        if job.stream {
            let stream = FastChatReplyStream(gateway: self, lease: lease, requestID: requestID, generations: generations, transcoder: transcoder)
            let first = try await stream.start()
            return reply(lease: lease, requestID: requestID, contentType: "text/event-stream; charset=utf-8", first: first, rest: stream)
        }
        // FastChat makes the n answers at once, each a whole `/worker_generate`.
        let answers = try await withThrowingTaskGroup(of: (Int, FastChatChunk).self) { group in
            for (index, generation) in generations.enumerated() {
                group.addTask {
                    let answer = try await callFastChat("/worker_generate", generation, on: lease, requestID: requestID)
                    do {
                        return (index, try FastChatChunk(parsing: answer))
                    } catch let error as FastChatWorkerFailure {
                        throw FastChatCallFailure(error: error.openAIError, retryable: true, workerFault: true)
                    }
                }
            }
            var answers: [(FastChatParameters, FastChatChunk)?] = Array(repeating: nil, count: generations.count)
            for try await (index, chunk) in group { answers[index] = (generations[index], chunk) }
            return answers.compactMap { $0 }
        }
        do {
            let body = try transcoder.body(answers)
            return reply(lease: lease, requestID: requestID, contentType: "application/json", first: body, rest: FinishedReplyBody())
        } catch {
            throw FastChatCallFailure(error: error.error, retryable: error.retryable, workerFault: error.error.status.code >= 500)
        }
    }

    private func fastChatEmbeddings(_ body: ByteBuffer, on lease: Lease, requestID: String) async throws -> WorkerReply {
        var embeddings = try FastChatEmbeddings(body, servedModel: lease.servedModel)
        for batch in embeddings.batches {
            let answer = try await callFastChat("/worker_get_embeddings", body: batch, on: lease, requestID: requestID)
            do {
                try embeddings.add(answer)
            } catch {
                throw FastChatCallFailure(error: error.error, retryable: error.retryable, workerFault: error.error.status.code >= 500)
            }
        }
        let list = ByteBuffer(data: try JSONEncoder.switchyard.encode(embeddings.list))
        return reply(lease: lease, requestID: requestID, contentType: "application/json", first: list, rest: FinishedReplyBody())
    }

    private func reply(lease: Lease, requestID: String, contentType: String, first: ByteBuffer?, rest: any WorkerReplyBody) -> WorkerReply {
        WorkerReply(
            lease: lease, status: .ok, contentType: contentType, retryHeaders: [:], first: first, rest: rest,
            directory: directory, logger: logger, requestID: requestID
        )
    }

    /// The worker's template and context length, from the cache or fetched once.
    private func fastChatWorker(_ lease: Lease, requestID: String) async throws -> FastChatWorkerCache.Entry {
        let cache = directory.fastChatWorkers
        if let entry = cache[lease.address, lease.servedModel] { return entry }
        let query = FastChatModel(model: lease.servedModel)
        let conv = try await callFastChat("/worker_get_conv_template", query, on: lease, requestID: requestID)
        let details = try await callFastChat("/model_details", query, on: lease, requestID: requestID)
        let template: ConversationTemplate
        do {
            template = try JSONDecoder().decode(ConversationReply.self, from: conv).conv
        } catch {
            throw FastChatCallFailure(error: .badGateway("The worker's conversation template could not be read."), retryable: true, workerFault: true)
        }
        let entry = FastChatWorkerCache.Entry(template: template, contextLength: try Self.integer("context_length", in: details))
        cache.store(entry, address: lease.address, model: lease.servedModel)
        return entry
    }

    func callFastChat(_ path: String, _ value: some Encodable, on lease: Lease, requestID: String) async throws -> ByteBuffer {
        try await callFastChat(path, body: ByteBuffer(data: try JSONEncoder.switchyard.encode(value)), on: lease, requestID: requestID)
    }

    /// POSTs to the worker and reads its whole answer (at most ``fastChatAnswerLimit`` bytes).
    func callFastChat(_ path: String, body: ByteBuffer, on lease: Lease, requestID: String) async throws -> ByteBuffer {
        let upstream = try await openFastChat(path, body: body, on: lease, requestID: requestID)
        var answer = ByteBuffer()
        do {
            while let chunk = try await upstream.next() {
                answer.writeImmutableBuffer(chunk)
                guard answer.readableBytes <= Self.fastChatAnswerLimit else {
                    throw FastChatCallFailure(error: .badGateway("The worker's answer to \(path) is longer than \(Self.fastChatAnswerLimit) bytes."), retryable: true, workerFault: true)
                }
            }
        } catch let failure as FastChatCallFailure {
            throw failure
        } catch {
            throw FastChatCallFailure(error: .badGateway("The worker broke off its answer to \(path)."), retryable: true, workerFault: true)
        }
        return answer
    }

    static let fastChatAnswerLimit = 16 << 20

    /// POSTs to the worker and waits for a 200 head; anything else is the worker's failure.
    func openFastChat(_ path: String, body: ByteBuffer, on lease: Lease, requestID: String) async throws -> UpstreamExchange {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        if !requestID.isEmpty { headers.add(name: "x-request-id", value: requestID) }
        let upstream: UpstreamExchange
        let head: HTTPResponseHead
        do {
            upstream = try UpstreamExchange(
                pool: upstreams, url: lease.address.trimmingSuffix("/") + path, headers: headers, body: body,
                headTimeout: configuration.responseTimeout
            )
            head = try await upstream.head()
        } catch {
            let failure =
                UpstreamFailure.isTimeout(error)
                ? OpenAIError(status: .gatewayTimeout, message: "The worker did not answer in time.")
                : OpenAIError.badGateway("The worker could not be reached.")
            throw FastChatCallFailure(error: failure, retryable: true, workerFault: true)
        }
        guard head.status == .ok else {
            _ = await upstream.collect(upTo: 1 << 16)
            // Workers never redirect, and a 4xx means the worker refused what FastChat's own server would send.
            throw FastChatCallFailure(
                error: .badGateway("The worker answered \(path) with HTTP \(head.status.code)."),
                retryable: head.status.code >= 300, workerFault: head.status.code >= 300 && head.status.code != 404
            )
        }
        return upstream
    }

    /// An integer field of a worker's answer, clamped to token-count range.
    static func integer(_ key: String, in answer: ByteBuffer) throws -> Int {
        let fields = (try? JSONValue(parsing: answer))?.object
        if let code = fields?["error_code"]?.integer, code != 0 {
            let (error, retryable) = FastChatErrorTable.standard.error(code: code, text: fields?["text"]?.string ?? "")
            throw FastChatCallFailure(error: error, retryable: retryable, workerFault: error.status.code >= 500)
        }
        guard let value = fields?[key]?.number, value.isFinite else {
            throw FastChatCallFailure(error: .badGateway("The worker's answer has no number '\(key)'."), retryable: true, workerFault: true)
        }
        return Int(min(max(value, 0), Double(FastChatChunk.tokenLimit)))
    }
}

/// The `{"model"}` body of FastChat's template and details calls.
struct FastChatModel: Encodable {
    var model: String
}

/// The `/count_token` body.
struct FastChatPrompt: Encodable {
    var model: String
    var prompt: String
}

/// `/worker_get_conv_template`'s answer.
struct ConversationReply: Decodable {
    var conv: ConversationTemplate
}

/// The rest of an answer that came whole with its first chunk.
struct FinishedReplyBody: WorkerReplyBody {
    func next(within silence: Duration?) async throws -> UpstreamExchange.Read { .end }
}
