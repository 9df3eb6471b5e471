/// Cuts a byte stream into lines for the log, holding a partial line until its end arrives.
///
/// A line longer than `maximumLength` is cut there, so a child that never prints a newline
/// (a progress bar) cannot grow the buffer without bound.
struct LineBuffer: Sendable {
    private var pending: [UInt8] = []
    let maximumLength: Int

    init(maximumLength: Int = 4096) {
        self.maximumLength = maximumLength
    }

    /// The lines `bytes` completes, without their line ends.
    mutating func append(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(takeLine())
            } else {
                pending.append(byte)
                if pending.count >= maximumLength { lines.append(takeLine()) }
            }
        }
        return lines
    }

    /// The last line when the stream ended without a newline.
    mutating func finish() -> String? {
        pending.isEmpty ? nil : takeLine()
    }

    private mutating func takeLine() -> String {
        var line = pending
        pending.removeAll(keepingCapacity: true)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
