import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import Testing

@Suite struct FailureStatusTests {
    struct Unexpected: Error {}

    @Test func clientsLeavingAre499() {
        #expect(FailureStatus.of(CancellationError()) == 499)
        #expect(FailureStatus.of(HTTPParserError.invalidEOFState) == 499)
        #expect(FailureStatus.of(ChannelError.ioOnClosedChannel) == 499)
        #expect(FailureStatus.of(ChannelError.eof) == 499)
        #expect(FailureStatus.of(IOError(errnoCode: ECONNRESET, reason: "read")) == 499)
        #expect(FailureStatus.of(IOError(errnoCode: EPIPE, reason: "write")) == 499)
    }

    @Test func brokenFramingIs400() {
        for error in [HTTPParserError.invalidChunkSize, .invalidContentLength, .unexpectedContentLength, .invalidHeaderToken, .trailingGarbage] {
            #expect(FailureStatus.of(error) == 400)
        }
    }

    @Test func answersKeepTheirStatusAndTheRestIsTheServers() {
        #expect(FailureStatus.of(OpenAIError.badRequest("no")) == 400)
        #expect(FailureStatus.of(OpenAIError(status: .badGateway, message: "worker down")) == 502)
        #expect(FailureStatus.of(Unexpected()) == 500)
        #expect(FailureStatus.of(IOError(errnoCode: ENOMEM, reason: "alloc")) == 500)
    }

    @Test func whateverACancelledRequestThrowsIs499() async {
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            return FailureStatus.of(OpenAIError(status: .badGateway, message: "The request was cancelled."))
        }
        task.cancel()
        #expect(await task.value == 499)
    }
}
