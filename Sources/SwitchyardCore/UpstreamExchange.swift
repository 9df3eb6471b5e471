import AsyncHTTPClient
import DequeModule
import NIOCore
import NIOHTTP1
import Synchronization

/// One POST to a worker or model server through async-http-client's delegate API, read by one
/// task at a time: first the response head, then the body chunk by chunk.
///
/// The client's async API costs a task and an actor hop on Swift's global pool per request
/// (waking a pool thread each time: two `futex` calls) plus an async sequence for the body; the
/// gateway spent about a tenth more CPU per request with it. Here the parts are handed over as
/// they arrive on the connection's event loop, which is the reading task's own loop when its
/// server connection is pinned to it.
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

    /// The next body chunk (all that arrived since the last read, as one buffer), nil at the end.
    public func next() async throws -> ByteBuffer? {
        try await next(within: nil).chunk
    }

    /// What a wait for the body came to.
    public enum Read: Sendable, Equatable {
        case chunk(ByteBuffer)
        case end
        /// `silence` passed without a byte; the body goes on and nothing was lost.
        case quiet

        /// The bytes read, nil for the end (or a silence, which only a wait with one ends in).
        public var chunk: ByteBuffer? {
            if case .chunk(let bytes) = self { bytes } else { nil }
        }
    }

    /// The next body chunk, or ``Read/quiet`` once `silence` (if any) passes without one: a relay
    /// that owes its client a keep-alive after a silence needs no timer task of its own.
    public func next(within silence: Duration?) async throws -> Read {
        try await withTaskCancellationHandler {
            try await receiver.next(within: silence.map { (TimeAmount($0), task.eventLoop) })
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
            /// `wait` tells a silence timer whether the reader it was set for still waits.
            case chunk(UnsafeContinuation<Read, any Error>, wait: Int)
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
            var waits = 0
            var silenceTimer: Scheduled<Void>?
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

        /// The buffered body as one chunk, else the end, else a wait: ended by a chunk, the end,
        /// a failure or, with `silence`, by ``Read/quiet`` when that much time passes first.
        func next(within silence: (TimeAmount, any EventLoop)?) async throws -> Read {
            try await withUnsafeThrowingContinuation { continuation in
                let (ready, resumeReading, wait): (Result<Read, any Error>?, EventLoopPromise<Void>?, Int?) = state.withLock { state in
                    if var chunk = state.chunks.popFirst() {
                        while var more = state.chunks.popFirst() { chunk.writeBuffer(&more) }
                        state.bufferedBytes = 0
                        return (.success(.chunk(chunk)), state.paused.take(), nil)
                    }
                    switch state.end {
                    case .success?: return (.success(.end), nil, nil)
                    case .failure(let error)?: return (.failure(error), nil, nil)
                    case nil:
                        state.waits += 1
                        state.waiter = .chunk(continuation, wait: state.waits)
                        return (nil, state.paused.take(), state.waits)
                    }
                }
                resumeReading?.succeed()
                if let ready { continuation.resume(with: ready) }
                if let wait, let (silence, eventLoop) = silence {
                    let timer = eventLoop.scheduleTask(in: silence) { self.quiet(wait) }
                    let stillWaiting = state.withLock { state in
                        guard case .chunk(_, wait)? = state.waiter else { return false }
                        state.silenceTimer = timer
                        return true
                    }
                    if !stillWaiting { timer.cancel() }
                }
            }
        }

        private func quiet(_ wait: Int) {
            let waiter: UnsafeContinuation<Read, any Error>? = state.withLock { state in
                guard case .chunk(let continuation, wait)? = state.waiter else { return nil }
                state.waiter = nil
                state.silenceTimer = nil
                return continuation
            }
            waiter?.resume(returning: .quiet)
        }

        func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
            let (waiter, timer): (UnsafeContinuation<HTTPResponseHead, any Error>?, Scheduled<Void>?) = state.withLock { state in
                state.head = head
                guard case .head(let continuation)? = state.waiter else { return (nil, state.headTimeout.take()) }
                state.waiter = nil
                return (continuation, state.headTimeout.take())
            }
            timer?.cancel()
            waiter?.resume(returning: head)
            return task.eventLoop.makeSucceededVoidFuture()
        }

        func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
            let (waiter, paused, timer): (UnsafeContinuation<Read, any Error>?, EventLoopFuture<Void>?, Scheduled<Void>?) = state.withLock { state in
                if case .chunk(let continuation, _)? = state.waiter {
                    state.waiter = nil
                    return (continuation, nil, state.silenceTimer.take())
                }
                state.chunks.append(buffer)
                state.bufferedBytes += buffer.readableBytes
                guard state.bufferedBytes > UpstreamExchange.bufferLimit else { return (nil, nil, nil) }
                let promise = state.paused ?? task.eventLoop.makePromise()
                state.paused = promise
                return (nil, promise.futureResult, nil)
            }
            timer?.cancel()
            waiter?.resume(returning: .chunk(buffer))
            return paused ?? task.eventLoop.makeSucceededVoidFuture()
        }

        func didFinishRequest(task: HTTPClient.Task<Void>) throws {
            finish(.success(()))
        }

        func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
            finish(.failure(error))
        }

        private func finish(_ end: Result<Void, any Error>) {
            let (waiter, paused, headTimeout, silenceTimer) = state.withLock { state in
                if state.end == nil { state.end = end }
                return (state.waiter.take(), state.paused.take(), state.headTimeout.take(), state.silenceTimer.take())
            }
            headTimeout?.cancel()
            silenceTimer?.cancel()
            paused?.succeed()
            switch (waiter, end) {
            case (.head(let continuation)?, .failure(let error)): continuation.resume(throwing: error)
            case (.head(let continuation)?, .success): continuation.resume(throwing: HTTPClientError.remoteConnectionClosed)
            case (.chunk(let continuation, _)?, .failure(let error)): continuation.resume(throwing: error)
            case (.chunk(let continuation, _)?, .success): continuation.resume(returning: .end)
            case (nil, _): break
            }
        }
    }
}
