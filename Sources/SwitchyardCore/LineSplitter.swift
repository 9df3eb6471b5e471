import NIOCore

/// Cuts a byte stream into newline-terminated lines (NDJSON), holding a partial line until its
/// end arrives. A line longer than `maximumLength` is an error: a peer that never sends a
/// newline cannot grow the buffer without bound.
public struct LineSplitter: Sendable {
    public struct LineTooLong: Error, Sendable, Equatable {
        public let limit: Int
        public init(limit: Int) { self.limit = limit }
    }

    public let maximumLength: Int
    private var pending = ByteBuffer()

    public init(maximumLength: Int) {
        self.maximumLength = max(1, maximumLength)
    }

    /// The complete lines `bytes` ends, without their `\n` or `\r\n`; blank lines are skipped.
    public mutating func append(_ bytes: ByteBuffer) throws(LineTooLong) -> [ByteBuffer] {
        var bytes = bytes
        pending.writeBuffer(&bytes)
        var lines: [ByteBuffer] = []
        while let end = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending.readSlice(length: end - pending.readerIndex)!
            pending.moveReaderIndex(forwardBy: 1)
            if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
            guard line.readableBytes <= maximumLength else { throw LineTooLong(limit: maximumLength) }
            if line.readableBytes > 0 { lines.append(line) }
        }
        guard pending.readableBytes <= maximumLength else { throw LineTooLong(limit: maximumLength) }
        pending.discardReadBytes()
        return lines
    }

    /// Whether a partial line is waiting for its end (when the stream ended: it was cut).
    public var hasPartialLine: Bool { pending.readableBytes > 0 }
}
