import Metrics
import NIOCore
import SwitchyardCore

/// Relays a worker's body chunk by chunk as bytes, tracking only whether it stands between
/// events (so a stream that breaks mid-event still ends with a parseable error event), the gaps
/// between chunks of a stream, and the last bytes, where the usage is.
struct StreamRelay {
    static let keepAliveComment = ByteBuffer(string: ": keep-alive\n\n")

    static let tailSize = 1024

    let isEventStream: Bool
    /// The model whose inter-token latency and usage this relay records; nil records nothing.
    let model: String?
    private(set) var endsBetweenEvents = true
    private var failed = false
    private var lastChunk: ContinuousClock.Instant?
    /// Where a stream's gaps between chunks go, looked up once per relay rather than per chunk.
    private let interTokenLatency: Timer?
    /// The latest chunks, by reference, holding at least the last `tailSize` bytes.
    private var recent: [ByteBuffer] = []
    private var recentBytes = 0

    init(isEventStream: Bool, model: String?) {
        self.isEventStream = isEventStream
        self.model = model
        self.interTokenLatency = isEventStream ? model.map { GatewayMetrics.byModel[$0].interTokenLatency } : nil
    }

    mutating func pass(_ chunk: ByteBuffer) -> ByteBuffer {
        guard chunk.readableBytes > 0 else { return chunk }
        endsBetweenEvents = chunk.endsWithBlankLine
        guard let model else { return chunk }
        if let interTokenLatency {
            let now = ContinuousClock.now
            if let lastChunk { interTokenLatency.record(duration: now - lastChunk) }
            lastChunk = now
        }
        recent.append(chunk)
        recentBytes += chunk.readableBytes
        while recent.count > 1, recentBytes - recent[0].readableBytes >= Self.tailSize {
            recentBytes -= recent.removeFirst().readableBytes
        }
        return chunk
    }

    /// Token counts from the response's tail, when the worker reported them.
    var usage: (prompt: Int, completion: Int)? {
        var skip = max(0, recentBytes - Self.tailSize)
        var tail: [UInt8] = []
        tail.reserveCapacity(min(recentBytes, Self.tailSize))
        for chunk in recent {
            tail.append(contentsOf: chunk.readableBytesView.dropFirst(skip))
            skip = max(0, skip - chunk.readableBytes)
        }
        return UsageScanner.usage(in: tail)
    }

    /// The next chunk to write, nil at the end.
    mutating func next(from reply: WorkerReply) async throws -> ByteBuffer? {
        try await next(from: reply, within: nil).chunk
    }

    /// The next chunk to write, or ``UpstreamExchange/Read/quiet`` after `silence` without one.
    /// A worker failing mid-stream becomes one error event (after closing a half-sent event) and
    /// the end; a plain body can only be cut.
    mutating func next(from reply: WorkerReply, within silence: Duration?) async throws -> UpstreamExchange.Read {
        guard !failed else { return .end }
        do {
            switch try await reply.next(within: silence) {
            case .chunk(let chunk): return .chunk(pass(chunk))
            case let other: return other
            }
        } catch {
            guard isEventStream, !Task.isCancelled else { throw error }
            failed = true
            let failure = OpenAIError(status: .badGateway, message: "The worker stopped responding mid-stream.")
            var event = endsBetweenEvents ? ByteBuffer() : ByteBuffer(string: "\n\n")
            event.writeImmutableBuffer(.serverSentEvent(failure.jsonBody()))
            return .chunk(event)
        }
    }
}
