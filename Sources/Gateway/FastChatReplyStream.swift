import FastChatAdapter
import NIOCore
import Synchronization
import SwitchyardCore

/// A streamed answer from a FastChat worker: its generations run one after another (one per
/// choice, as FastChat's server makes `n` answers), each `/worker_generate_stream` body cut at
/// its NULs and transcoded into OpenAI's chunks. Read by one task at a time, like the worker's
/// own body; a failure after the first byte becomes one OpenAI error event and the end.
final class FastChatReplyStream: WorkerReplyBody {
    private struct State: Sendable {
        var generations: [FastChatParameters]
        var next = 0
        var transcoder: FastChatTranscoder
        var splitter = FastChatChunkSplitter()
        var upstream: UpstreamExchange?
        var pending = ByteBuffer()
        var ended = false
        /// Until the first worker object is read, a failure is the attempt's, not an event.
        var committed = false
        var objectsRead = 0
    }

    private let gateway: Gateway
    private let lease: Lease
    private let requestID: String
    private let state: Mutex<State>

    init(gateway: Gateway, lease: Lease, requestID: String, generations: [FastChatParameters], transcoder: FastChatTranscoder) {
        self.gateway = gateway
        self.lease = lease
        self.requestID = requestID
        self.state = Mutex(State(generations: generations, transcoder: transcoder))
    }

    /// Runs until the worker's first object is read: the client's first bytes, or the
    /// attempt's failure (``Gateway/FastChatCallFailure``), which another worker may retry.
    func start() async throws -> ByteBuffer {
        var state = self.state.withLock { $0 }
        defer { self.state.withLock { $0 = state } }
        var first = ByteBuffer()
        while state.objectsRead == 0, !state.ended {
            switch try await step(&state, within: nil) {
            case .chunk(var bytes): first.writeBuffer(&bytes)
            case .end, .quiet: break
            }
        }
        state.committed = true
        return first
    }

    func next(within silence: Duration?) async throws -> UpstreamExchange.Read {
        var state = self.state.withLock { $0 }
        defer { self.state.withLock { $0 = state } }
        do {
            return try await step(&state, within: silence)
        } catch let failure as Gateway.FastChatCallFailure {
            // After the first byte only an event can say it.
            if failure.workerFault { gateway.noteFailure(of: lease.address, hard: false, error: failure.error, requestID: requestID) }
            state.ended = true
            state.upstream = nil
            return .chunk(FastChatTranscoder.errorEvent(failure.error))
        }
    }

    /// One read: pending bytes, or the next generation started, or the worker read once.
    private func step(_ state: inout State, within silence: Duration?) async throws -> UpstreamExchange.Read {
        while true {
            if state.pending.readableBytes > 0 {
                defer { state.pending.clear() }
                return .chunk(state.pending)
            }
            if state.ended { return .end }
            // A broken object after good ones in the same read, now that those are sent.
            if state.upstream != nil, let failure = state.splitter.failure {
                throw Gateway.FastChatCallFailure(error: failure.openAIError, retryable: true, workerFault: true)
            }
            guard let upstream = state.upstream else {
                guard state.next < state.generations.count else {
                    state.pending.writeImmutableBuffer(state.transcoder.end())
                    state.ended = true
                    continue
                }
                let generation = state.generations[state.next]
                state.upstream = try await gateway.openFastChat("/worker_generate_stream", body: generation.jsonBody, on: lease, requestID: requestID)
                state.pending.writeImmutableBuffer(state.transcoder.begin(generation, index: state.next))
                state.next += 1
                state.splitter = FastChatChunkSplitter()
                continue
            }
            let read: UpstreamExchange.Read
            do {
                read = try await upstream.next(within: silence)
            } catch {
                if Task.isCancelled { throw error }
                throw Gateway.FastChatCallFailure(error: .badGateway("The worker stopped responding mid-stream."), retryable: true, workerFault: true)
            }
            var chunks: [FastChatChunk] = []
            do {
                switch read {
                case .quiet:
                    return .quiet
                case .chunk(let bytes):
                    chunks = try state.splitter.feed(bytes)
                case .end:
                    chunks = try state.splitter.finish().map { [$0] } ?? []
                }
            } catch {
                throw Gateway.FastChatCallFailure(error: error.openAIError, retryable: true, workerFault: true)
            }
            for chunk in chunks {
                state.objectsRead += 1
                switch state.transcoder.consume(chunk) {
                case .more(let bytes):
                    state.pending.writeImmutableBuffer(bytes)
                case .finished(let bytes):
                    state.pending.writeImmutableBuffer(bytes)
                    state.upstream = nil
                case .failed(let error, let retryable):
                    // Only the first object's failure is the attempt's, however the network cut
                    // the body: once one was read, its bytes are the client's.
                    if !state.committed, state.objectsRead == 1 {
                        throw Gateway.FastChatCallFailure(error: error, retryable: retryable, workerFault: error.status.code >= 500)
                    }
                    state.pending.writeImmutableBuffer(FastChatTranscoder.errorEvent(error))
                    state.ended = true
                    state.upstream = nil
                }
                if state.upstream == nil { break }
            }
            if read == .end, state.upstream != nil {
                // The body ended without a finish reason: what was held back, and the finish.
                state.pending.writeImmutableBuffer(state.transcoder.endOfBody())
                state.upstream = nil
            }
        }
    }
}
