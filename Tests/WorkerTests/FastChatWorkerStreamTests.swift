import Foundation
import NIOCore
import SwitchyardCore
import Testing
@testable import Worker

@Suite struct FastChatWorkerStreamTests {
    /// One backend `/v1/completions` stream event.
    static func event(_ text: String, finish: String? = nil) -> [UInt8] {
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        let escaped = String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
        return Array(#"{"object":"text_completion","choices":[{"index":0,"text":\#(escaped),"finish_reason":\#(reason)}]}"#.utf8)
    }

    static let usage = Array(#"{"object":"text_completion","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"#.utf8)

    /// A chunk's JSON without its NUL terminator.
    static func object(_ chunk: ByteBuffer?) throws -> JSONValue {
        let chunk = try #require(chunk)
        let bytes = Array(chunk.readableBytesView)
        #expect(bytes.last == 0)
        return try JSONValue(parsing: ByteBuffer(bytes: bytes.dropLast()))
    }

    @Test func textIsCumulativeWithUsageInEveryChunkAndTheReasonOnTheLast() throws {
        var stream = FastChatStream(prompt: "Say: ", echo: false, stops: [])
        let first = try Self.object(stream.receive(Self.event("Hello")))
        #expect(first["text"]?.string == "Hello")
        #expect(first["error_code"]?.integer == 0)
        #expect(first["finish_reason"] == .null)
        #expect(first["usage"]?["completion_tokens"]?.integer == 1)
        let second = try Self.object(stream.receive(Self.event(" wörld 🙂")))
        #expect(second["text"]?.string == "Hello wörld 🙂")
        #expect(second["usage"]?["completion_tokens"]?.integer == 2)
        #expect(stream.receive(Self.event("", finish: "length")) == nil)
        #expect(stream.receive(Self.usage) == nil)
        #expect(stream.receive(Array("[DONE]".utf8)) == nil)
        let last = try Self.object(stream.finish())
        #expect(last["text"]?.string == "Hello wörld 🙂")
        #expect(last["finish_reason"]?.string == "length")
        #expect(last["usage"]?["prompt_tokens"]?.integer == 7)
        #expect(last["usage"]?["total_tokens"]?.integer == 10)
    }

    @Test func echoPrefixesThePrompt() throws {
        var stream = FastChatStream(prompt: "USER: Hi ASSISTANT:", echo: true, stops: [])
        let chunk = try Self.object(stream.receive(Self.event(" Hello")))
        #expect(chunk["text"]?.string == "USER: Hi ASSISTANT: Hello")
        #expect(try Self.object(stream.finish())["finish_reason"]?.string == "stop")
    }

    @Test func aStopStringCutsTheTextEvenAcrossEvents() throws {
        var stream = FastChatStream(prompt: "", echo: false, stops: ["</s>", "USER:"])
        #expect(try Self.object(stream.receive(Self.event("Fine")))["text"]?.string == "Fine")
        // "</" could begin a stop string: held back, as FastChat's workers hold it.
        #expect(stream.receive(Self.event(" thanks</")) == nil)
        #expect(!stream.isStopped)
        #expect(stream.receive(Self.event("s> more")) == nil)
        #expect(stream.isStopped)
        let last = try Self.object(stream.finish())
        #expect(last["text"]?.string == "Fine thanks")
        #expect(last["finish_reason"]?.string == "stop")
        #expect(stream.receive(Self.event("ignored")) == nil)
    }

    @Test func aBackendErrorEventBecomesAFastChatError() throws {
        var stream = FastChatStream(prompt: "", echo: false, stops: [])
        _ = stream.receive(Self.event("partial"))
        #expect(stream.receive(Array(#"{"error":{"message":"overloaded","type":"server_error"}}"#.utf8)) == nil)
        let failure = try #require(stream.failure)
        #expect(failure.code == .internalError)
        let chunk = try Self.object(FastChatStream.errorChunk(failure))
        #expect(chunk["error_code"]?.integer == 50001)
        #expect(chunk["text"]?.string?.contains("overloaded") == true)
        var garbage = FastChatStream(prompt: "", echo: false, stops: [])
        #expect(garbage.receive(Array("not json".utf8)) == nil)
        #expect(garbage.failure != nil)
    }

    @Test func outputStaysBoundedWhenTheEchoedPromptIsHuge() throws {
        let prompt = String(repeating: "x", count: 1 << 20)
        var stream = FastChatStream(prompt: prompt, echo: true, stops: [], byteBudget: 4 << 20)
        var written = 0
        var chunks = 0
        for _ in 0..<1000 {
            if let chunk = stream.receive(Self.event(" tok")) {
                written += chunk.readableBytes
                chunks += 1
            }
        }
        written += stream.finish().readableBytes
        let final = prompt.utf8.count + 4000
        // Without coalescing a thousand chunks would carry about a gigabyte.
        #expect(written <= (4 << 20) + 10 * final)
        #expect(chunks >= 3)
        // A small answer streams every token.
        var small = FastChatStream(prompt: "p", echo: true, stops: [])
        #expect((0..<50).allSatisfy { _ in small.receive(Self.event(" t")) != nil })
    }
}

extension FastChatWorkerStreamTests {
    @Test func logprobsAccumulateWithOffsetsIntoTheCumulativeText() throws {
        var stream = FastChatStream(prompt: "é: ", echo: true, stops: [], logprobs: true)
        let first = #"{"choices":[{"index":0,"text":"Hi","logprobs":{"tokens":["Hi"],"token_logprobs":[-0.5],"top_logprobs":[{"Hi":-0.5,"Yo":-1.5}],"text_offset":[99]},"finish_reason":null}]}"#
        _ = stream.receive(Array(first.utf8))
        let second = #"{"choices":[{"index":0,"text":" there","logprobs":{"tokens":[" there"],"token_logprobs":[null],"top_logprobs":[null],"text_offset":[0]},"finish_reason":"stop"}]}"#
        let chunk = try Self.object(stream.receive(Array(second.utf8)))
        let logprobs = try #require(chunk["logprobs"])
        #expect(logprobs["tokens"]?.array?.compactMap(\.string) == ["Hi", " there"])
        #expect(logprobs["text_offset"]?.array?.compactMap(\.integer) == [3, 5])
        #expect(logprobs["token_logprobs"]?.array == [.number(-0.5), .null])
        #expect(logprobs["top_logprobs"]?.array?.first?["Yo"]?.number == -1.5)
        var plain = FastChatStream(prompt: "", echo: false, stops: [])
        #expect(try Self.object(plain.receive(Array(first.utf8)))["logprobs"] == nil)
    }
}
