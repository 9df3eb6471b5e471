extension AnswerStyle {
    /// Counts an answer's markdown as LMSYS's `add_markdown_info.py` does: fenced code blocks
    /// (a fence, no backtick inside, a fence) are removed first, then
    /// - headers: a line starting with exactly 1–6 `#` and a whitespace character (`^#{k}\s`);
    /// - list items: a line of optional whitespace, then digits and `.` (ordered) or one of
    ///   `-`, `*`, `+` (unordered), then whitespace (`^\s*\d+\.\s`, `^\s*[-*+]\s`);
    /// - bold: `**…**` and `__…__` spans on one line without the delimiter inside.
    ///
    /// Whitespace is ASCII whitespace (Python's `\s` also takes Unicode spaces, which answers
    /// almost never put there). `tokens` is the completion usage when known; `nil` estimates it.
    public init(markdown text: String, tokens: Int? = nil) {
        let bytes = Self.removingCodeBlocks(Array(text.utf8))
        var headers = [Int](repeating: 0, count: 6)
        var ordered = 0
        var unordered = 0
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: newline) ?? bytes.count
            // The whitespace a pattern requires after its marker may be the line's own newline.
            let line = bytes[lineStart..<min(lineEnd + 1, bytes.count)]
            if let level = Self.headerLevel(line) { headers[level - 1] += 1 }
            switch Self.listMarker(line) {
            case .ordered: ordered += 1
            case .unordered: unordered += 1
            case nil: break
            }
            lineStart = lineEnd + 1
        }
        self.init(
            tokens: tokens ?? Self.estimatedTokens(text),
            headers: headers,
            orderedListItems: ordered,
            unorderedListItems: unordered,
            boldAsterisks: Self.spans(of: UInt8(ascii: "*"), in: bytes),
            boldUnderscores: Self.spans(of: UInt8(ascii: "_"), in: bytes)
        )
    }

    /// A token estimate for answers whose backend reported no usage: one token per four bytes of
    /// UTF-8, rounded up (OpenAI's rule of thumb for English). Style control compares lengths as
    /// ratios, so the constant matters far less than counting both sides alike.
    public static func estimatedTokens(_ text: String) -> Int {
        (text.utf8.count + 3) / 4
    }

    private static func removingCodeBlocks(_ bytes: [UInt8]) -> [UInt8] {
        let tick = UInt8(ascii: "`")
        func fence(at index: Int) -> Bool {
            index + 3 <= bytes.count && bytes[index] == tick && bytes[index + 1] == tick && bytes[index + 2] == tick
        }
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if fence(at: index) {
                let close = bytes[(index + 3)...].firstIndex(of: tick) ?? bytes.count
                if fence(at: close) {
                    index = close + 3
                    continue
                }
            }
            kept.append(bytes[index])
            index += 1
        }
        return kept
    }

    private static func headerLevel(_ line: ArraySlice<UInt8>) -> Int? {
        let hashes = line.prefix { $0 == UInt8(ascii: "#") }.count
        guard (1...6).contains(hashes), let next = line.dropFirst(hashes).first, isWhitespace(next) else { return nil }
        return hashes
    }

    private enum ListMarker { case ordered, unordered }

    private static func listMarker(_ line: ArraySlice<UInt8>) -> ListMarker? {
        let rest = line.drop(while: isWhitespace)
        guard let first = rest.first else { return nil }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+") {
            return rest.dropFirst().first.map(isWhitespace) == true ? .unordered : nil
        }
        let digits = rest.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
        guard digits > 0 else { return nil }
        let after = rest.dropFirst(digits)
        guard after.first == UInt8(ascii: "."), let space = after.dropFirst().first, isWhitespace(space) else { return nil }
        return .ordered
    }

    /// Non-overlapping `dd…dd` spans, left to right, with at least one byte between the
    /// delimiters and neither the delimiter nor a newline among them.
    private static func spans(of delimiter: UInt8, in bytes: [UInt8]) -> Int {
        var count = 0
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == delimiter, bytes[index + 1] == delimiter else {
                index += 1
                continue
            }
            var end = index + 2
            while end < bytes.count, bytes[end] != delimiter, bytes[end] != newline { end += 1 }
            if end > index + 2, end + 1 < bytes.count, bytes[end] == delimiter, bytes[end + 1] == delimiter {
                count += 1
                index = end + 2
            } else {
                index += 1
            }
        }
        return count
    }
}

private let newline = UInt8(ascii: "\n")

/// Python's ASCII `\s`: space, tab, newline, carriage return, form feed, vertical tab.
private func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
}
