/// Finds the token counts in the tail of a response, without decoding it: the usage object is
/// the last thing a completion body or a stream (its usage chunk) carries.
enum UsageScanner {
    static let promptKey = Array(#""prompt_tokens":"#.utf8)
    static let completionKey = Array(#""completion_tokens":"#.utf8)

    /// The last `prompt_tokens` and `completion_tokens` in `bytes`, if both are there.
    static func usage(in bytes: [UInt8]) -> (prompt: Int, completion: Int)? {
        guard let prompt = lastNumber(after: promptKey, in: bytes), let completion = lastNumber(after: completionKey, in: bytes) else {
            return nil
        }
        return (prompt, completion)
    }

    static func lastNumber(after key: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= key.count else { return nil }
        var start = bytes.count - key.count
        while start >= 0 {
            if bytes[start] == key[0], bytes[start..<start + key.count].elementsEqual(key) {
                var index = start + key.count
                while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
                var value = 0
                var digits = 0
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), digits < 12 {
                    value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            start -= 1
        }
        return nil
    }
}
