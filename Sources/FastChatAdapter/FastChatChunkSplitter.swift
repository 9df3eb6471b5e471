import NIOCore

/// Cuts a `/worker_generate_stream` body into its NUL-terminated objects, whatever the network
/// chunk boundaries; an object longer than ``limit`` (a worker that never sends a NUL) fails
/// instead of growing without end.
///
/// A broken object fails the objects before it in the same network read no more than in an
/// earlier one: they are returned, and the failure is kept in ``failure`` for the next call, so
/// what the client gets does not depend on how the network cut the body.
public struct FastChatChunkSplitter: Sendable {
    public static let defaultLimit = 4 << 20

    public let limit: Int
    private var pending = ByteBuffer()
    /// The broken object after the last objects returned; every later call throws it.
    public private(set) var failure: FastChatWorkerFailure?

    public init(limit: Int = defaultLimit) {
        self.limit = limit
    }

    /// The objects `bytes` completes, in order; empty pieces are skipped as FastChat does.
    public mutating func feed(_ bytes: ByteBuffer) throws(FastChatWorkerFailure) -> [FastChatChunk] {
        if let failure { throw failure }
        var chunks: [FastChatChunk] = []
        do {
            try split(bytes, into: &chunks)
        } catch {
            guard !chunks.isEmpty else { throw error }
            failure = error
            pending = ByteBuffer()
        }
        return chunks
    }

    private mutating func split(_ bytes: ByteBuffer, into chunks: inout [FastChatChunk]) throws(FastChatWorkerFailure) {
        var bytes = bytes
        while let end = bytes.readableBytesView.firstIndex(of: 0) {
            let length = end - bytes.readerIndex
            var piece = bytes.readSlice(length: length)!
            bytes.moveReaderIndex(forwardBy: 1)
            if pending.readableBytes > 0 {
                pending.writeBuffer(&piece)
                piece = pending
                pending = ByteBuffer()
            }
            try checkLimit(piece.readableBytes)
            if piece.readableBytes > 0 { chunks.append(try FastChatChunk(parsing: piece)) }
        }
        try checkLimit(pending.readableBytes + bytes.readableBytes)
        pending.writeBuffer(&bytes)
    }

    /// The object left when the body ends without its NUL (FastChat's readers drop it; a
    /// `/worker_generate` body is exactly that).
    public mutating func finish() throws(FastChatWorkerFailure) -> FastChatChunk? {
        if let failure { throw failure }
        defer { pending = ByteBuffer() }
        guard pending.readableBytesView.contains(where: { !Self.isWhitespace($0) }) else { return nil }
        return try FastChatChunk(parsing: pending)
    }

    private func checkLimit(_ count: Int) throws(FastChatWorkerFailure) {
        guard count <= limit else {
            throw FastChatWorkerFailure("The worker sent an object longer than \(limit) bytes.")
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
