extension String {
    /// At most `limit` bytes of UTF-8, cut between scalars and marked with "…" when cut:
    /// for client strings echoed in messages, logs and stored records, which must stay small
    /// however long the client's string was.
    public func clipped(toUTF8Count limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: Swift.max(0, limit))
        while end > startIndex, UTF8.isContinuation(utf8[end]) { end = utf8.index(before: end) }
        return String(self[..<end]) + "…"
    }

    public func trimmingSuffix(_ suffix: String) -> String {
        var result = self
        while result.hasSuffix(suffix) { result.removeLast(suffix.count) }
        return result
    }
}
