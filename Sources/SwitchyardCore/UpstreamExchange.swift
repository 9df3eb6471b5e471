import DequeModule
import NIOCore
import NIOHTTP1
import Synchronization

/// One POST to a worker or model server on a connection of an ``UpstreamPool``, read by one
/// task at a time: first the response head, then the body chunk by chunk.
///
/// The parts are handed over as they arrive on the connection's event loop, which is the reading
/// task's own loop when its server connection is pinned to it: no task, actor hop or async
/// sequence per request.
public final class UpstreamExchange: Sendable {
    /// The unread body beyond which the peer's connection stops being read.
    public static let bufferLimit = 256 << 10

    private let receiver: Receiver

    /// Sends `body` to `url` and returns at once; the head comes through ``head()``.
    ///
    /// `headTimeout` bounds the wait for the response head (the pool's read timeout bounds
    /// each silence after it).
    public init(pool: UpstreamPool, url: String, headers: HTTPHeaders, body: ByteBuffer, headTimeout: Duration) throws {
        let target = try pool.target(of: url)
        var headers = headers
        headers.replaceOrAdd(name: "host", value: target.hostHeader)
        headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path, headers: headers)
        let eventLoop = pool.eventLoop()
        let receiver = Receiver(eventLoop: eventLoop)
        receiver.armHeadTimeout(after: headTimeout)
        self.receiver = receiver
        if eventLoop.inEventLoop {
            pool.send(head, body: body, to: target, on: eventLoop, receiver: receiver)
        } else {
            eventLoop.execute { pool.send(head, body: body, to: target, on: eventLoop, receiver: receiver) }
        }
    }

    deinit {
        // A reader that leaves before the end (a client gone, a relay cut) frees the connection.
        receiver.fail(UpstreamFailure.cancelled)
    }

    public func head() async throws -> HTTPResponseHead {
        try await withTaskCancellationHandler {
            try await receiver.head()
        } onCancel: { [receiver] in
            receiver.fail(UpstreamFailure.cancelled)
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
            try await receiver.next(within: silence.map { TimeAmount($0) })
        } onCancel: { [receiver] in
            receiver.fail(UpstreamFailure.cancelled)
        }
    }
}

extension UpstreamExchange {
    /// What arrives from the connection, kept until the reader asks; a waiting reader is resumed
    /// at once. The connection calls in on its event loop, the reader from anywhere.
    final class Receiver: Sendable {
        private enum Waiter {
            case head(UnsafeContinuation<HTTPResponseHead, any Error>)
            /// `wait` tells a silence timer whether the reader it was set for still waits.
            case chunk(UnsafeContinuation<Read, any Error>, wait: Int)
        }

        private struct State {
            var head: HTTPResponseHead?
            var chunks = Deque<ByteBuffer>()
            var bufferedBytes = 0
            /// Set once the body ended (`.success`) or the exchange failed.
            var end: Result<Void, any Error>?
            var waiter: Waiter?
            /// Completed when the reader drains the buffer; until then the connection is not read.
            var paused: EventLoopPromise<Void>?
            var headTimeout: Scheduled<Void>?
            var waits = 0
            var silenceTimer: Scheduled<Void>?
            /// Closes the connection carrying the exchange, once it has one.
            var abort: (@Sendable () -> Void)?
        }

        private let state = Mutex(State())
        private let eventLoop: any EventLoop

        init(eventLoop: any EventLoop) {
            self.eventLoop = eventLoop
        }

        func armHeadTimeout(after timeout: Duration) {
            let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { self.fail(UpstreamFailure.headTimeout) }
            let settled = state.withLock { state in
                guard state.head == nil, state.end == nil else { return true }
                state.headTimeout = timer
                return false
            }
            if settled { timer.cancel() }
        }

        /// Hands the exchange to a connection; false when it already ended (given up on).
        func attach(abort: @escaping @Sendable () -> Void) -> Bool {
            state.withLock { state in
                guard state.end == nil else { return false }
                state.abort = abort
                return true
            }
        }

        func head() async throws -> HTTPResponseHead {
            try await withUnsafeThrowingContinuation { continuation in
                let ready: Result<HTTPResponseHead, any Error>? = state.withLock { state in
                    if let head = state.head { return .success(head) }
                    switch state.end {
                    case .failure(let error)?: return .failure(error)
                    case .success?: return .failure(UpstreamFailure.connectionClosed)
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
        func next(within silence: TimeAmount?) async throws -> Read {
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
                if let wait, let silence {
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

        func received(_ head: HTTPResponseHead) {
            let (waiter, timer): (UnsafeContinuation<HTTPResponseHead, any Error>?, Scheduled<Void>?) = state.withLock { state in
                guard state.end == nil else { return (nil, nil) }
                state.head = head
                guard case .head(let continuation)? = state.waiter else { return (nil, state.headTimeout.take()) }
                state.waiter = nil
                return (continuation, state.headTimeout.take())
            }
            timer?.cancel()
            waiter?.resume(returning: head)
        }

        /// Keeps or hands over a body part; returns a future when the connection must stop
        /// reading until it completes (the reader is ``UpstreamExchange/bufferLimit`` behind).
        func received(_ buffer: ByteBuffer) -> EventLoopFuture<Void>? {
            let (waiter, paused, timer): (UnsafeContinuation<Read, any Error>?, EventLoopFuture<Void>?, Scheduled<Void>?) = state.withLock { state in
                guard state.end == nil else { return (nil, nil, nil) }
                if case .chunk(let continuation, _)? = state.waiter {
                    state.waiter = nil
                    return (continuation, nil, state.silenceTimer.take())
                }
                state.chunks.append(buffer)
                state.bufferedBytes += buffer.readableBytes
                guard state.bufferedBytes > UpstreamExchange.bufferLimit else { return (nil, nil, nil) }
                let promise = state.paused ?? eventLoop.makePromise()
                state.paused = promise
                return (nil, promise.futureResult, nil)
            }
            timer?.cancel()
            waiter?.resume(returning: .chunk(buffer))
            return paused
        }

        /// Ends the exchange with a failure and closes its connection, unless it already ended.
        func fail(_ error: any Error) {
            if let abort = finish(.failure(error)) { abort() }
        }

        /// Ends the exchange; returns the connection's abort when this call ended it.
        @discardableResult
        func finish(_ end: Result<Void, any Error>) -> (@Sendable () -> Void)? {
            let taken: (Waiter?, EventLoopPromise<Void>?, Scheduled<Void>?, Scheduled<Void>?, (@Sendable () -> Void)?)? = state.withLock { state in
                guard state.end == nil else { return nil }
                state.end = end
                return (state.waiter.take(), state.paused.take(), state.headTimeout.take(), state.silenceTimer.take(), state.abort.take())
            }
            guard case let (waiter, paused, headTimeout, silenceTimer, abort)? = taken else { return nil }
            headTimeout?.cancel()
            silenceTimer?.cancel()
            paused?.succeed()
            switch (waiter, end) {
            case (.head(let continuation)?, .failure(let error)): continuation.resume(throwing: error)
            case (.head(let continuation)?, .success): continuation.resume(throwing: UpstreamFailure.connectionClosed)
            case (.chunk(let continuation, _)?, .failure(let error)): continuation.resume(throwing: error)
            case (.chunk(let continuation, _)?, .success): continuation.resume(returning: .end)
            case (nil, _): break
            }
            return abort
        }
    }
}
