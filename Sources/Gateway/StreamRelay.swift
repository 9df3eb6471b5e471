import NIOCore
import SwitchyardCore

/// Relays a worker's body chunk by chunk as bytes, tracking only whether it stands between
/// events, so a stream that breaks mid-event still ends with a parseable error event.
struct StreamRelay {
    enum Event: Sendable {
        case chunk(ByteBuffer)
        case tick
    }

    static let keepAliveComment = ByteBuffer(string: ": keep-alive\n\n")

    let isEventStream: Bool
    private(set) var endsBetweenEvents = true
    private var failed = false

    init(isEventStream: Bool) {
        self.isEventStream = isEventStream
    }

    mutating func pass(_ chunk: ByteBuffer) -> ByteBuffer {
        if chunk.readableBytes > 0 { endsBetweenEvents = chunk.endsWithBlankLine }
        return chunk
    }

    /// The next chunk to write, nil at the end. A worker failing mid-stream becomes one error
    /// event (after closing a half-sent event) and the end; a plain body can only be cut.
    mutating func next(from reply: WorkerReply) async throws -> ByteBuffer? {
        guard !failed else { return nil }
        do {
            return try await reply.next().map { pass($0) }
        } catch {
            guard isEventStream, !Task.isCancelled else { throw error }
            failed = true
            let failure = OpenAIError(status: .badGateway, message: "The worker stopped responding mid-stream.")
            var event = endsBetweenEvents ? ByteBuffer() : ByteBuffer(string: "\n\n")
            event.writeImmutableBuffer(.serverSentEvent(failure.jsonBody()))
            return event
        }
    }
}
