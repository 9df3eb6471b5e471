import FastChatAdapter
import Testing

@Suite struct FastChatErrorCodeTests {
    @Test func codesAreFastChatsNumbers() {
        #expect(FastChatErrorCode(rawValue: 50002) == .cudaOutOfMemory)
        #expect(FastChatErrorCode(rawValue: 40303) == .contextOverflow)
        #expect(FastChatErrorCode(rawValue: 12345) == nil)
    }
}
