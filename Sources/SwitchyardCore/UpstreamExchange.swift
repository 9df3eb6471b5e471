import AsyncHTTPClient
import DequeModule
import NIOCore
import NIOHTTP1
import Synchronization

/// One POST to a worker or model server through async-http-client's delegate API, read by one
/// task at a time: first the response head, then the body chunk by chunk.
///
/// The client's async API costs a task and an actor hop on Swift's global pool per request
/// (waking a pool thread each time) plus an async sequence for the body; in the gateway's
/// profile that was a fifth of its CPU. Here the parts are handed over as they arrive on the
/// connection's event loop, which is the reading task's own loop when its server connection
/// is pinned to it.
public final class UpstreamExchange: Sendable {
    /// The unread body beyond which the worker's connection stops being read.
    public static let bufferLimit = 256 << 10

    private let receiver: Receiver
    private let task: HTTPClient.Task<Void>

    /// Sends `body` to `url` and returns at once; the head comes through ``head()``.
    ///
    /// `headTimeout` bounds the wait for the response head (the client's read timeout bounds
    /// each silence after it).
    public init(client: HTTPClient, url: String, headers: HTTPHeaders, body: ByteBuffer, headTimeout: Duration) throws {
        let request = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .byteBuffer(body))
        let receiver = Receiver()
        let task = client.execute(request: request, delegate: receiver, eventLoop: .indifferent, logger: nil)
        receiver.armHeadTimeout(on: task, after: headTimeout)
        self.receiver = receiver
        self.task = task
    }

    deinit {
        // A reader that leaves before the end (a client gone, a relay cut) frees the connection.
        if !receiver.isFinished { task.cancel() }
    }

    public func head() async throws -> HTTPResponseHead {
        try await withTaskCancellationHandler {
            try await receiver.head()
        } onCancel: { [task] in
            task.cancel()
        }
    }

    /// The rest of the body, at most `limit` bytes of it; what arrived before a failure.
    public func collect(upTo limit: Int) async -> ByteBuffer {
        var body = ByteBuffer()
        while body.readableBytes < limit, let chunk = try? await next() {
            body.writeImmutableBuffer(chunk)
        }
        return body
    }

    /// The next body chunk, nil at the end.
    public func next() async throws -> ByteBuffer? {
        try await withTaskCancellationHandler {
            try await receiver.next()
        } onCancel: { [task] in
            task.cancel()
        }
    }
}

extension UpstreamExchange {
    /// The delegate async-http-client calls on the connection's event loop; it keeps what arrived
    /// until the reader asks and resumes a waiting reader at once.
    final class Receiver: HTTPClientResponseDelegate, Sendable {
        typealias Response = Void

        private enum Waiter {
            case head(UnsafeContinuation<HTTPResponseHead, any Error>)
            case chunk(UnsafeContinuation<ByteBuffer?, any Error>)
        }

        private struct State {
            var head: HTTPResponseHead?
            var chunks = Deque<ByteBuffer>()
            var bufferedBytes = 0
            /// Set once the body ended (`.success`) or the request failed.
            var end: Result<Void, any Error>?
            var waiter: Waiter?
            /// Completed when the reader drains the buffer; until then the connection is not read.
            var paused: EventLoopPromise<Void>?
            var headTimeout: Scheduled<Void>?
        }

        private let state = Mutex(State())

        var isFinished: Bool { state.withLock { $0.end != nil } }

        func armHeadTimeout(on task: HTTPClient.Task<Void>, after timeout: Duration) {
            let timer = task.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                task.fail(reason: HTTPClientError.deadlineExceeded)
            }
            let arrived = state.withLock { state in
                guard state.head == nil, state.end == nil else { return true }
                state.headTimeout = timer
                return false
            }
            if arrived { timer.cancel() }
        }

        func head() async throws -> HTTPResponseHead {
            try await withUnsafeThrowingContinuation { continuation in
                let ready: Result<HTTPResponseHead, any Error>? = state.withLock { state in
                    if let head = state.head { return .success(head) }
                    switch state.end {
                    case .failure(let error)?: return .failure(error)
                    case .success?: return .failure(HTTPClientError.remoteConnectionClosed)
                    case nil: break
                    }
                    state.waiter = .head(continuation)
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }

        func next() async throws -> ByteBuffer? {
            try await withUnsafeThrowingContinuation { continuation in
                let (ready, resumeReading): (Result<ByteBuffer?, any Error>?, EventLoopPromise<Void>?) = state.withLock { state in
                    if let chunk = state.chunks.popFirst() {
                        state.bufferedBytes -= chunk.readableBytes
                        let resume = state.chunks.isEmpty ? state.paused.take() : nil
                        return (.success(chunk), resume)
                    }
                    switch state.end {
                    case .success?: return (.success(nil), nil)
                    case .failure(let error)?: return (.failure(error), nil)
                    case nil:
                        state.waiter = .chunk(continuation)
                        return (nil, state.paused.take())
                    }
                }
                resumeReading?.succeed()
                if let ready { continuation.resume(with: ready) }
            }
        }

        func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
            let (waiter, timer) = state.withLock { state in
                state.head = head
                return (state.waiter.take(), state.headTimeout.take())
            }
            timer?.cancel()
            if case .head(let continuation)? = waiter { continuation.resume(returning: head) }
            return task.eventLoop.makeSucceededVoidFuture()
        }

        func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
            let (waiter, paused): (UnsafeContinuation<ByteBuffer?, any Error>?, EventLoopFuture<Void>?) = state.withLock { state in
                if case .chunk(let continuation)? = state.waiter {
                    state.waiter = nil
                    return (continuation, nil)
                }
                state.chunks.append(buffer)
                state.bufferedBytes += buffer.readableBytes
                guard state.bufferedBytes > UpstreamExchange.bufferLimit else { return (nil, nil) }
                let promise = state.paused ?? task.eventLoop.makePromise()
                state.paused = promise
                return (nil, promise.futureResult)
            }
            waiter?.resume(returning: buffer)
            return paused ?? task.eventLoop.makeSucceededVoidFuture()
        }

        func didFinishRequest(task: HTTPClient.Task<Void>) throws {
            finish(.success(()))
        }

        func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
            finish(.failure(error))
        }

        private func finish(_ end: Result<Void, any Error>) {
            let (waiter, paused, timer) = state.withLock { state in
                if state.end == nil { state.end = end }
                return (state.waiter.take(), state.paused.take(), state.headTimeout.take())
            }
            timer?.cancel()
            paused?.succeed()
            switch (waiter, end) {
            case (.head(let continuation)?, .failure(let error)): continuation.resume(throwing: error)
            case (.head(let continuation)?, .success): continuation.resume(throwing: HTTPClientError.remoteConnectionClosed)
            case (.chunk(let continuation)?, .failure(let error)): continuation.resume(throwing: error)
            case (.chunk(let continuation)?, .success): continuation.resume(returning: nil)
            case (nil, _): break
            }
        }
    }
}
