import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import Backends

/// What a ``StreamNormalizer`` made of a whole upstream stream.
struct NormalisedStream {
    var text: String
    var normalizer: StreamNormalizer

    init(_ bytes: [UInt8], cuttingAt cuts: [Int] = []) {
        normalizer = StreamNormalizer()
        var output = ByteBuffer()
        var start = 0
        for end in cuts + [bytes.count] {
            output.writeImmutableBuffer(normalizer.feed(ByteBuffer(bytes: bytes[start..<end])))
            start = end
        }
        output.writeImmutableBuffer(normalizer.finish())
        text = String(buffer: output)
    }

    /// The blank-line separated blocks, each one `data:` line or one comment.
    var blocks: [Substring] {
        #expect(text.hasSuffix("\n\n"))
        return text.split(separator: "\n\n", omittingEmptySubsequences: false).dropLast()
    }

    /// The `data:` payloads, in order.
    var events: [String] {
        blocks.filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
    }

    var chunks: [[String: Any]] {
        events.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    var choices: [[String: Any]] { chunks.flatMap { $0["choices"] as? [[String: Any]] ?? [] } }
    var roles: [String] { choices.compactMap { ($0["delta"] as? [String: Any])?["role"] as? String } }
    var content: String { choices.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined() }
    var errors: [OpenAIError.Body.Detail] {
        events.compactMap { try? JSONDecoder().decode(OpenAIError.Body.self, from: Data($0.utf8)).error }
    }

    /// Every block is a one-line `data:` event or a comment, and nothing follows `[DONE]`.
    var isCleanlyFramed: Bool {
        let wellFormed = blocks.allSatisfy { ($0.hasPrefix("data: ") || $0.hasPrefix(":")) && !$0.contains("\n") && !$0.contains("\r") }
        let done = blocks.firstIndex(of: "data: [DONE]")
        return wellFormed && (done == nil || done == blocks.index(before: blocks.endIndex))
    }
}

@Suite struct StreamNormalizerTests {
    static let streamFixtures = [
        "ollama-stream-role.txt", "llamacpp-stream-error.txt", "llamacpp-stream.txt", "tgi-stream-error.txt",
        "tgi-stream-overloaded.txt", "vllm-stream-error.txt", "stream-without-done.txt", "stream-broken.txt",
        "sse-noise-stream.txt", "completions-stream-without-done.txt",
    ]

    @Test func ollamaRoleIsSentOnlyInTheFirstDelta() throws {
        let stream = NormalisedStream(try Fixture.bytes("ollama-stream-role.txt"))
        #expect(stream.isCleanlyFramed)
        #expect(stream.roles == ["assistant"])
        #expect(stream.content == "Hello! How can I help?")
        #expect(stream.choices.compactMap { $0["finish_reason"] as? String } == ["stop"])
        #expect(stream.chunks.allSatisfy { $0["system_fingerprint"] as? String == "fp_ollama" && $0["id"] as? String == "chatcmpl-427" })
        #expect(stream.events.last == "[DONE]")
    }

    @Test func cleanStreamIsRelayedByteForByte() throws {
        let upstream = try Fixture.bytes("llamacpp-stream.txt")
        let stream = NormalisedStream(upstream)
        #expect(stream.text == String(decoding: upstream, as: UTF8.self))
        #expect(stream.text.contains(#""timings":{"#))
    }

    @Test func llamaCppErrorFieldBecomesADataErrorEvent() throws {
        let upstream = try Fixture.bytes("llamacpp-stream-error.txt")
        let stream = NormalisedStream(upstream)
        #expect(stream.isCleanlyFramed)
        #expect(!stream.text.contains("error: "))
        // The chunks before the error are untouched, `content: null` included.
        let beforeError = try #require(String(decoding: upstream, as: UTF8.self).components(separatedBy: "error: ").first)
        #expect(stream.text.hasPrefix(beforeError))
        #expect(stream.errors.count == 1)
        let error = try #require(stream.errors.first)
        #expect(error.message == "Input prompt is too big compared to KV size. Please try increasing KV size.")
        #expect(error.type == "server_error")
        #expect(error.code == nil)
        #expect(stream.events.suffix(2).last == "[DONE]")
        #expect(stream.normalizer.leadingError == nil)
    }

    @Test func tgiStringErrorIsWrappedAndTheStreamEndsThere() throws {
        let stream = NormalisedStream(try Fixture.bytes("tgi-stream-error.txt"))
        #expect(stream.isCleanlyFramed)
        #expect(stream.roles == ["assistant"])
        #expect(stream.content == "The answer")
        let error = try #require(stream.errors.first)
        #expect(error.message.hasPrefix("Request failed during generation"))
        #expect(error.type == "server_error")
        // The client already has its error: no second one, no [DONE].
        #expect(stream.errors.count == 1)
        #expect(stream.events.last?.hasPrefix(#"{"error""#) == true)
    }

    @Test func errorOpeningTheStreamIsKeptForARealStatus() throws {
        let stream = NormalisedStream(try Fixture.bytes("tgi-stream-overloaded.txt"))
        let error = try #require(stream.normalizer.leadingError)
        #expect(error.status == .serviceUnavailable)
        #expect(error.retryAfter == .seconds(1))
        #expect(stream.errors.map(\.message) == ["Model is overloaded"])
    }

    @Test func vLLMNumericCodeInAStreamErrorBecomesNull() throws {
        let stream = NormalisedStream(try Fixture.bytes("vllm-stream-error.txt"))
        #expect(stream.isCleanlyFramed)
        let error = try #require(stream.errors.first)
        #expect(error.type == "server_error")
        #expect(error.code == nil)
        #expect(!stream.text.contains(#""code":500"#))
        #expect(stream.events.last == "[DONE]")
    }

    @Test func finishedStreamWithoutDoneGetsDone() throws {
        let stream = NormalisedStream(try Fixture.bytes("stream-without-done.txt"))
        #expect(stream.isCleanlyFramed)
        #expect(stream.events.last == "[DONE]")
        #expect(stream.errors.isEmpty)
        // Each choice keeps its own first role.
        #expect(stream.roles == ["assistant", "assistant"])
    }

    @Test func finishedCompletionsStreamWithoutDoneGetsDone() throws {
        let stream = NormalisedStream(try Fixture.bytes("completions-stream-without-done.txt"))
        #expect(stream.choices.compactMap { $0["text"] as? String }.joined() == " Paris, France")
        #expect(stream.chunks.last?["usage"] != nil)
        #expect(stream.events.last == "[DONE]")
    }

    @Test func brokenStreamEndsWithOneServerError() throws {
        let stream = NormalisedStream(try Fixture.bytes("stream-broken.txt"))
        #expect(stream.isCleanlyFramed)
        #expect(stream.content == "Once upon")
        #expect(stream.errors.map(\.type) == ["server_error"])
        #expect(stream.events.last?.hasPrefix(#"{"error""#) == true)
        #expect(!stream.events.contains("[DONE]"))
    }

    @Test func emptyStreamIsALeadingBadGateway() {
        let stream = NormalisedStream([])
        #expect(stream.normalizer.leadingError?.status == .badGateway)
        #expect(stream.errors.count == 1)
    }

    @Test func framingNoiseIsDroppedAndCommentsKeptAsKeepAlives() throws {
        let stream = NormalisedStream(try Fixture.bytes("sse-noise-stream.txt"))
        #expect(stream.isCleanlyFramed)
        #expect(stream.blocks.filter { $0.hasPrefix(":") } == [": ping", ": keep-alive"])
        #expect(!stream.text.contains("id: ") && !stream.text.contains("retry:") && !stream.text.contains("event:"))
        // The multi-line event arrives as one line of JSON.
        #expect(stream.content == "Hi")
        #expect(stream.chunks.count == 3)
        #expect(stream.events.last == "[DONE]")
        #expect(!stream.text.contains("trailing"))
    }

    @Test func lastEventWithoutItsBlankLineStillCounts() {
        let stream = NormalisedStream(Array(#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#.utf8))
        #expect(stream.choices.count == 1)
        #expect(stream.events.last == "[DONE]")
    }

    @Test(arguments: streamFixtures)
    func everyChunkBoundaryGivesTheSameOutput(fixture: String) throws {
        let upstream = try Fixture.bytes(fixture)
        let whole = NormalisedStream(upstream).text
        for cut in 0...upstream.count {
            #expect(NormalisedStream(upstream, cuttingAt: [cut]).text == whole, "cut at \(cut)")
        }
        #expect(NormalisedStream(upstream, cuttingAt: Array(0...upstream.count)).text == whole)
    }

    @Test(arguments: streamFixtures)
    func lineEndingsDoNotMatter(fixture: String) throws {
        let text = String(decoding: try Fixture.bytes(fixture), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let whole = NormalisedStream(Array(text.utf8)).text
        for ending in ["\r\n", "\r"] {
            let upstream = Array(text.replacingOccurrences(of: "\n", with: ending).utf8)
            #expect(NormalisedStream(upstream).text == whole)
            // A CRLF split between its two bytes is still one line ending.
            let cuts = upstream.indices.filter { upstream[$0] == UInt8(ascii: "\r") }.map { $0 + 1 }
            #expect(NormalisedStream(upstream, cuttingAt: cuts).text == whole)
        }
    }
}
