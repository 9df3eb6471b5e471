import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import FastChatAdapter

@Suite struct FastChatStreamTests {
    static func object(_ text: String, finish: String? = nil, usage: (Int, Int)? = (3, 2), code: Int = 0) -> String {
        var fields: [String: Any] = ["text": text, "error_code": code, "finish_reason": finish ?? NSNull()]
        if let usage { fields["usage"] = ["prompt_tokens": usage.0, "completion_tokens": usage.1, "total_tokens": usage.0 + usage.1] }
        let data = try! JSONSerialization.data(withJSONObject: fields)
        return String(decoding: data, as: UTF8.self) + "\0"
    }

    /// A worker body: cumulative texts, vLLM's doubled last object, a multi-byte character cut by the decoder.
    static let body = [
        object("Hel"), object("Hello \u{FFFD}"), object("Hello 🌍"), object("Hello 🌍 wor"),
        object("Hello 🌍 world"), object("Hello 🌍 world", finish: "stop", usage: (3, 5)),
    ].joined()

    /// The client's text from a chunked body, split however the network splits it.
    static func transcode(_ pieces: [ByteBuffer], stop: [String] = []) throws -> (text: String, events: [String]) {
        let job = try FastChatJob(
            ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"#),
            endpoint: .chatCompletions, template: .init(name: "t", separatorStyle: .addColonSingle), servedModel: "m"
        )
        var parameters = job.parameters
        parameters.stop = stop
        var transcoder = FastChatTranscoder(job: job, id: "chatcmpl-1", created: 1)
        var splitter = FastChatChunkSplitter()
        var out = transcoder.begin(parameters, index: 0)
        var finished = false
        for piece in pieces where !finished {
            for chunk in try splitter.feed(piece) where !finished {
                switch transcoder.consume(chunk) {
                case .more(let bytes): out.writeImmutableBuffer(bytes)
                case .finished(let bytes): out.writeImmutableBuffer(bytes); finished = true
                case .failed(let error, _): out.writeImmutableBuffer(FastChatTranscoder.errorEvent(error)); finished = true
                }
            }
        }
        if !finished { out.writeImmutableBuffer(transcoder.endOfBody()) }
        out.writeImmutableBuffer(transcoder.end())
        var parser = ServerSentEventParser()
        let events = parser.feed(out).map { String(decoding: $0, as: UTF8.self) }
        var text = ""
        for event in events where event != "[DONE]" {
            if let chunk = try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(event.utf8)) {
                text += chunk.choices.compactMap(\.delta.content).joined()
            }
        }
        return (text, events)
    }

    @Test func everyByteBoundaryGivesTheSameText() throws {
        let bytes = Array(Self.body.utf8)
        for cut in 0...bytes.count {
            let pieces = [ByteBuffer(bytes: bytes[..<cut]), ByteBuffer(bytes: bytes[cut...])]
            let (text, events) = try Self.transcode(pieces)
            #expect(text == "Hello 🌍 world", "cut at \(cut)")
            #expect(events.last == "[DONE]")
        }
        // One byte at a time.
        #expect(try Self.transcode(bytes.map { ByteBuffer(bytes: [$0]) }).text == "Hello 🌍 world")
    }

    @Test func roleOnceFinishOnceAndUsageLast() throws {
        let (_, events) = try Self.transcode([ByteBuffer(string: Self.body)])
        let chunks = events.dropLast().map { try! JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
        #expect(chunks.first?.choices.first?.delta.role == "assistant")
        #expect(chunks.filter { $0.choices.first?.delta.role != nil }.count == 1)
        #expect(chunks.compactMap { $0.choices.first?.finishReason }.count == 1)
        #expect(chunks.last?.choices.isEmpty == true)
        #expect(chunks.last?.usage == Usage(promptTokens: 3, completionTokens: 5))
    }

    @Test func aStopStringSplitAcrossChunksIsHeldBackThenCut() throws {
        let body = [Self.object("Sure<"), Self.object("Sure<|im"), Self.object("Sure<|im_end|> and more")].joined()
        let (text, events) = try Self.transcode([ByteBuffer(string: body)], stop: ["<|im_end|>"])
        #expect(text == "Sure")
        #expect(!events.contains { $0.contains("<") })
        // A held-back prefix that never completes is text after all.
        let (partial, _) = try Self.transcode([ByteBuffer(string: [Self.object("a <"), Self.object("a <b", finish: "length")].joined())], stop: ["<|im_end|>"])
        #expect(partial == "a <b")
    }

    @Test func abortAndErrorCodesBecomeErrorEvents() throws {
        let aborted = try Self.transcode([ByteBuffer(string: Self.object("Hi") + Self.object("Hi", finish: "abort"))])
        #expect(aborted.events.contains { $0.contains(#""error""#) })
        let failed = try Self.transcode([ByteBuffer(string: Self.object("Hi") + Self.object("CUDA out of memory", code: 50002))])
        #expect(failed.events.contains { $0.contains("CUDA out of memory") && $0.contains("server_error") })
        #expect(failed.text == "Hi")
    }

    @Test func hostileWorkerOutputIsBounded() throws {
        // Usage beyond any context, negative or not a number: clamped or ignored, never trapped on.
        let huge = #"{"text":"x","error_code":0,"usage":{"prompt_tokens":1e300,"completion_tokens":-5}}"#
        let chunk = try FastChatChunk(parsing: ByteBuffer(string: huge))
        #expect(chunk.usage == Usage(promptTokens: FastChatChunk.tokenLimit, completionTokens: 0))
        #expect(throws: FastChatWorkerFailure.self) { try FastChatChunk(parsing: ByteBuffer(string: "not json")) }
        #expect(throws: FastChatWorkerFailure.self) { try FastChatChunk(parsing: ByteBuffer(string: #"{"text":5}"#)) }
        // A worker that never sends a NUL: refused once past the limit, not buffered for ever.
        var splitter = FastChatChunkSplitter(limit: 1 << 20)
        let megabyte = ByteBuffer(repeating: UInt8(ascii: "a"), count: 1 << 19)
        _ = try splitter.feed(megabyte)
        #expect(throws: FastChatWorkerFailure.self) {
            for _ in 0..<4 { _ = try splitter.feed(megabyte) }
        }
    }
}
