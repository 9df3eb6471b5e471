import NIOCore

/// Splits a byte stream into server-sent events' `data:` payloads, whatever the chunk boundaries.
///
/// Comment lines (`: keep-alive`) and other fields are skipped; multi-line data is joined with `\n`.
public struct ServerSentEventParser: Sendable {
    private var pending: [UInt8] = []
    private var data: [UInt8]? = nil

    public init() {}

    /// Feeds bytes and returns the data of every event they complete.
    public mutating func feed(_ buffer: ByteBuffer) -> [[UInt8]] {
        pending.append(contentsOf: buffer.readableBytesView)
        var events: [[UInt8]] = []
        var lineStart = 0
        var index = 0
        while index < pending.count {
            if pending[index] == UInt8(ascii: "\n") {
                var line = pending[lineStart..<index]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                if let event = consume(line: line) { events.append(event) }
                lineStart = index + 1
            }
            index += 1
        }
        pending.removeFirst(lineStart)
        return events
    }

    private mutating func consume(line: ArraySlice<UInt8>) -> [UInt8]? {
        if line.isEmpty {
            defer { data = nil }
            return data
        }
        guard line.starts(with: Self.dataField) else { return nil }
        var value = line.dropFirst(Self.dataField.count)
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if data == nil {
            data = Array(value)
        } else {
            data!.append(UInt8(ascii: "\n"))
            data!.append(contentsOf: value)
        }
        return nil
    }

    private static let dataField: [UInt8] = Array("data:".utf8)
}

extension ByteBuffer {
    /// One `data: <payload>\n\n` event.
    public static func serverSentEvent(_ payload: some Sequence<UInt8>) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("data: ")
        buffer.writeBytes(payload)
        buffer.writeString("\n\n")
        return buffer
    }

    public static let serverSentEventsDone = ByteBuffer(string: "data: [DONE]\n\n")
}
