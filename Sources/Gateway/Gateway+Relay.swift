import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Routing
import SwitchyardCore

extension Gateway {
    /// What one attempt on one worker came to.
    enum Attempt {
        case answered(WorkerReply)
        /// Failed before the client saw a byte; `retryable` says whether another worker may take it.
        case failed(OpenAIError, retryable: Bool)
    }

    /// Answers one OpenAI request read whole by the data plane: validation, the key's model
    /// check, a worker chosen, retried or waited for, and its answer relayed through `writer`.
    ///
    /// A client that leaves cancels the task: a queued request gives up its place, a relay stops.
    func serve(_ request: DataPlaneRequest, to writer: DataPlaneWriter) async {
        var record = RequestRecord(endpoint: request.endpoint)
        record.stats = stats
        do {
            let validated = try RequestValidator.validate(request.body, for: request.endpoint)
            record.model = validated.model
            try ModelAccess.check(validated.model)
            let routingRequest = routingRequest(for: validated, headers: request.headers)
            let reply = try await dispatch(request.body, for: routingRequest, path: request.endpoint.path)
            record.worker = reply.lease.address
            record.firstByte = ContinuousClock.now - record.started
            await relay(reply, streaming: validated.stream, record: record, to: writer)
        } catch {
            let (status, message) = writer.fail(with: error, logger: logger)
            record.finish(status: status, message: message, logger: logger)
        }
    }

    /// Sends a request body to a worker of its model, retrying on other workers until one answers
    /// with its first chunk; the reply still holds that worker's lease. When every worker is full
    /// the request waits in the queue until its task is cancelled.
    public func dispatch(_ body: ByteBuffer, for routingRequest: RoutingRequest, path: String = "/v1/chat/completions") async throws -> WorkerReply {
        let requestID = RequestID.current ?? ""
        let model = routingRequest.model
        let arrived = ContinuousClock.now
        var tried: Set<String> = []
        var retries = 0
        var lastFailure: OpenAIError?
        while true {
            let lease: Lease
            do {
                lease = try await directory.lease(routingRequest, excluding: tried, wait: false)
            } catch is WorkerDirectory.MustWait {
                lease = try await directory.lease(routingRequest, excluding: tried)
            } catch let error as OpenAIError where error.status == .serviceUnavailable && lastFailure != nil {
                // No other worker to retry on: the client hears what the last one said, retry advice included.
                throw lastFailure ?? error
            }
            let outgoing = lease.servedModel == model ? body : try body.replacingModel(with: lease.servedModel)
            switch await attempt(outgoing, on: lease, path: path, requestID: requestID) {
            case .answered(let reply):
                return reply
            case .failed(let error, let retryable):
                guard retryable, retries < configuration.maxRetries, ContinuousClock.now - arrived < configuration.retryDeadline else {
                    throw error
                }
                retries += 1
                lastFailure = error
                tried.insert(lease.address)
                GatewayMetrics.retried(model: model)
                logger.notice("retrying on another worker", metadata: ["worker": "\(lease.address)", "retry": "\(retries)", "request_id": "\(requestID)"])
                try await Task.sleep(for: configuration.retryBackoff * (1 << min(retries - 1, 16)) * Double.random(in: 0.5...1.5))
            }
        }
    }

    func routingRequest(for request: ValidatedRequest, headers: HTTPFields) -> RoutingRequest {
        let inputs = configuration.routing.inputs(for: request.model)
        var routingRequest = RoutingRequest(model: request.model)
        if inputs.contains(.sessionKey) {
            routingRequest.sessionKey = HTTPField.Name(configuration.sessionHeader).flatMap { headers[$0] } ?? request.user
        }
        if inputs.contains(.prompt) {
            routingRequest.prompt = request.prompt
        }
        return routingRequest
    }

    /// Sends the request to one worker and waits for its first chunk.
    func attempt(_ body: ByteBuffer, on lease: Lease, path: String, requestID: String) async -> Attempt {
        if lease.speaksFastChat { return await attemptFastChat(body, on: lease, path: path, requestID: requestID) }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        if !requestID.isEmpty { headers.add(name: "x-request-id", value: requestID) }

        let upstream: UpstreamExchange
        let response: HTTPResponseHead
        do {
            upstream = try UpstreamExchange(
                pool: upstreams, url: lease.address.trimmingSuffix("/") + path, headers: headers, body: body,
                headTimeout: configuration.responseTimeout
            )
            response = try await upstream.head()
        } catch {
            // The caller went away: nothing is wrong with the worker, and nobody wants a retry.
            if Task.isCancelled { return .failed(.badGateway("The request was cancelled."), retryable: false) }
            let refused = HTTPClient.isConnectionRefused(error)
            noteFailure(of: lease.address, hard: refused, error: error, requestID: requestID)
            let failure =
                UpstreamFailure.isTimeout(error)
                ? OpenAIError(status: .gatewayTimeout, message: "The worker did not answer in time.")
                : OpenAIError.badGateway("The worker could not be reached.")
            return .failed(failure, retryable: true)
        }

        if response.status.code >= 500 {
            noteFailure(of: lease.address, hard: false, error: nil, requestID: requestID)
            let errorBody = await upstream.collect(upTo: 1 << 20)
            var failure = OpenAIError.badGateway("The worker failed with HTTP \(response.status.code).")
            failure.status = .init(code: Int(response.status.code))
            if response.status == .serviceUnavailable {
                failure.retryAfter = response.headers.retryAfter ?? directory.queue.retryAfter
            }
            if let worker = try? JSONDecoder().decode(OpenAIError.Body.self, from: errorBody) {
                failure.message = worker.error.message
            }
            return .failed(failure, retryable: true)
        }

        if (300..<400).contains(response.status.code) {
            // Workers never redirect: a rogue one would otherwise have the gateway fetch any URL for it.
            noteFailure(of: lease.address, hard: false, error: nil, requestID: requestID)
            _ = await upstream.collect(upTo: 1 << 16)
            return .failed(.badGateway("The worker answered with a redirect (HTTP \(response.status.code)), which Switchyard does not follow."), retryable: true)
        }

        // Hold the client's response head until the worker's first chunk, so an early failure is still retryable.
        let first: ByteBuffer?
        do {
            first = try await upstream.next()
        } catch {
            if Task.isCancelled { return .failed(.badGateway("The request was cancelled."), retryable: false) }
            noteFailure(of: lease.address, hard: false, error: error, requestID: requestID)
            return .failed(.badGateway("The worker failed before its first byte."), retryable: true)
        }
        directory.record(success: true, for: lease.address)
        return .answered(
            WorkerReply(
                lease: lease,
                status: .init(code: Int(response.status.code)),
                contentType: response.headers.first(name: "content-type") ?? "application/json",
                retryHeaders: WorkerReply.retryAdvice(in: response.headers),
                first: first,
                rest: upstream,
                directory: directory,
                logger: logger,
                requestID: requestID
            )
        )
    }

    /// Largest plain (not event-stream) body read whole before the client gets it.
    static let wholeBodyLimit = 1 << 20

    /// Writes the client's answer: the worker's status and first chunk, then the rest as it arrives.
    ///
    /// A plain body up to ``wholeBodyLimit`` is read to its end first and sent with its length in
    /// one write, instead of a chunked body written piece by piece. An event stream gets a
    /// `: keep-alive` comment after each silence of ``GatewayConfiguration/keepAliveInterval``
    /// when it is on (and the stream stands between events).
    func relay(_ reply: WorkerReply, streaming: Bool, record: RequestRecord, to writer: DataPlaneWriter) async {
        let isEventStream = streaming && reply.status == .ok
        var head = HTTPResponse(status: reply.status)
        head.headerFields[.contentType] = reply.contentType
        head.headerFields[.switchyardWorker] = reply.lease.address
        head.headerFields.append(contentsOf: reply.retryHeaders)
        if isEventStream {
            head.headerFields[.cacheControl] = "no-cache"
            head.headerFields[.accelBuffering] = "no"
        }
        var relay = StreamRelay(isEventStream: isEventStream, model: record.model)
        defer {
            reply.lease.release()
            var record = record
            record.usage = relay.usage
            record.finish(status: Int(reply.status.code), logger: logger)
        }
        var body = reply.first.map { relay.pass($0) } ?? ByteBuffer()
        var headWritten = false
        do {
            if !isEventStream {
                while body.readableBytes <= Self.wholeBodyLimit {
                    guard let chunk = try await relay.next(from: reply) else {
                        head.headerFields[.contentLength] = String(body.readableBytes)
                        writer.respond(head, body: body, end: true)
                        return
                    }
                    body.writeImmutableBuffer(chunk)
                }
            }
            writer.respond(head, body: body, end: false)
            headWritten = true
            let silence = isEventStream && configuration.keepAliveInterval > .zero ? configuration.keepAliveInterval : nil
            while true {
                switch try await relay.next(from: reply, within: silence) {
                case .chunk(let chunk):
                    try await writer.write(chunk)
                case .quiet:
                    if relay.endsBetweenEvents { try await writer.write(StreamRelay.keepAliveComment) }
                case .end:
                    writer.end()
                    return
                }
            }
        } catch {
            // Cut: what arrived, then the end of the connection, which is all a client can tell.
            if !headWritten { writer.respond(head, body: body, end: false) }
            writer.abort()
        }
    }

    func noteFailure(of address: String, hard: Bool, error: (any Error)?, requestID: String) {
        if directory.record(success: false, for: address, hard: hard) == .opened {
            logger.warning("circuit opened: worker gets no requests for now", metadata: ["worker": "\(address)"])
        }
        logger.warning(
            "worker request failed",
            metadata: ["worker": "\(address)", "error": "\(error.map { "\($0)" } ?? "5xx")", "request_id": "\(requestID)"]
        )
    }
}

/// A worker's answer after its first chunk, holding the worker's lease until released.
public struct WorkerReply: Sendable {
    public let lease: Lease
    public let status: HTTPResponse.Status
    public let contentType: String
    /// A worker's 429 advice (`retry-after`, `retry-after-ms`, `x-should-retry`), passed on so SDKs back off as told.
    public let retryHeaders: HTTPFields
    /// The chunk that arrived before the reply was handed over (nil for an empty body).
    public let first: ByteBuffer?
    let rest: any WorkerReplyBody
    let directory: WorkerDirectory
    let logger: Logger
    let requestID: String

    /// The next chunk after ``first``; a failure is recorded against the worker before it is rethrown.
    public func next() async throws -> ByteBuffer? {
        try await next(within: nil).chunk
    }

    /// The next chunk, or ``UpstreamExchange/Read/quiet`` once `silence` passes without one.
    public func next(within silence: Duration?) async throws -> UpstreamExchange.Read {
        do {
            return try await rest.next(within: silence)
        } catch {
            guard !Task.isCancelled else { throw error }
            directory.record(success: false, for: lease.address)
            logger.warning("worker broke off mid-response", metadata: ["worker": "\(lease.address)", "request_id": "\(requestID)"])
            throw error
        }
    }
}

extension WorkerReply {
    /// A worker's retry advice for the client, rewritten from the numbers it parsed to rather than
    /// copied: a rogue worker's `retry-after: 1e300` reaches the client as an hour at most.
    static func retryAdvice(in headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        if let pause = headers.retryAfter { fields.setRetryAdvice(pause) }
        if let shouldRetry = headers.first(name: HTTPField.Name.shouldRetry.rawName), ["true", "false"].contains(shouldRetry) {
            fields[.shouldRetry] = shouldRetry
        }
        return fields
    }
}

/// Where a worker's answer comes from after its first chunk: the worker's own body, or for a
/// FastChat worker its answers made into OpenAI's, generation after generation.
protocol WorkerReplyBody: Sendable {
    func next(within silence: Duration?) async throws -> UpstreamExchange.Read
}

extension UpstreamExchange: WorkerReplyBody {}
