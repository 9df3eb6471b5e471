import Testing

@testable import Gateway

@Suite struct UsageScannerTests {
    @Test func findsTheLastUsageInAStreamTail() {
        let tail = #"data: {"choices":[],"usage":{"prompt_tokens":18,"completion_tokens":10,"total_tokens":28}}"# + "\n\ndata: [DONE]\n\n"
        #expect(UsageScanner.usage(in: Array(tail.utf8))! == (18, 10))
    }

    @Test func readsSpacedJSONAndIgnoresBodiesWithoutUsage() {
        #expect(UsageScanner.usage(in: Array(#"{"usage": {"prompt_tokens": 3, "completion_tokens": 4}}"#.utf8))! == (3, 4))
        #expect(UsageScanner.usage(in: Array(#"data: {"choices":[{"delta":{"content":"x"}}]}"#.utf8)) == nil)
        #expect(UsageScanner.usage(in: Array(#""prompt_tokens":"#.utf8)) == nil)
    }
}
