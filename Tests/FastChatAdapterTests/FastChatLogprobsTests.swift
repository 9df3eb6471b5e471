import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import FastChatAdapter

/// A FastChat worker's completions logprobs reach the client in OpenAI's shape, and a worker's
/// malformed ones are dropped without failing the answer.
@Suite struct FastChatLogprobsTests {
    /// What FastChat's HF worker sends with `echo`: no logprob for the first token, empty alternatives.
    static let huggingFace = #"{"text_offset": [0, 4], "tokens": ["Once", " upon"], "token_logprobs": [null, -0.5], "top_logprobs": [{}, {}]}"#

    static func chunk(logprobs: String) throws -> FastChatChunk {
        try FastChatChunk(parsing: ByteBuffer(string: #"{"text": "Once upon", "error_code": 0, "finish_reason": "stop", "logprobs": \#(logprobs)}"#))
    }

    static func completion(logprobs: String?, chunk: FastChatChunk) throws -> JSONValue? {
        let request = #"{"model":"m","prompt":"Once","echo":true"# + (logprobs.map { #","logprobs":\#($0)"# } ?? "") + "}"
        let job = try FastChatJob(ByteBuffer(string: request), endpoint: .completions, template: .init(name: "t", separatorStyle: .addColonSingle), servedModel: "m")
        var transcoder = FastChatTranscoder(job: job, id: "cmpl-1", created: 1)
        let body = try transcoder.body([(job.parameters, chunk)])
        return try JSONValue(parsing: body)["choices"]?.array?.first?["logprobs"]
    }

    @Test func workersLogprobsReachTheClientWhenAskedFor() throws {
        let chunk = try Self.chunk(logprobs: Self.huggingFace)
        #expect(chunk.logprobs == .init(textOffset: [0, 4], tokens: ["Once", " upon"], tokenLogprobs: [nil, -0.5], topLogprobs: [[:], [:]]))
        let carried = try #require(try Self.completion(logprobs: "1", chunk: chunk))
        #expect(carried["tokens"] == .array([.string("Once"), .string(" upon")]))
        #expect(carried["token_logprobs"] == .array([.null, .number(-0.5)]))
        #expect(carried["text_offset"] == .array([.number(0), .number(4)]))
        #expect(carried["top_logprobs"] == .array([.object([:]), .object([:])]))
        // Not asked for: null, as OpenAI sends it.
        #expect(try Self.completion(logprobs: nil, chunk: chunk) == .null)
    }

    /// Streamed, each chunk carries the tokens it adds to the worker's cumulative logprobs.
    @Test func streamedChunksCarryTheirOwnTokens() throws {
        let job = try FastChatJob(
            ByteBuffer(string: #"{"model":"m","prompt":"Say","logprobs":1,"stream":true}"#),
            endpoint: .completions, template: .init(name: "t", separatorStyle: .addColonSingle), servedModel: "m"
        )
        var transcoder = FastChatTranscoder(job: job, id: "cmpl-1", created: 1)
        var bytes = transcoder.begin(job.parameters, index: 0)
        let one = #"{"text_offset": [0], "tokens": ["Hello"], "token_logprobs": [-0.5], "top_logprobs": [{}]}"#
        let two = #"{"text_offset": [0, 5], "tokens": ["Hello", " world"], "token_logprobs": [-0.5, -0.25], "top_logprobs": [{}, {}]}"#
        for object in [
            #"{"text": "Hello", "error_code": 0, "logprobs": \#(one)}"#,
            #"{"text": "Hello world", "error_code": 0, "logprobs": \#(two)}"#,
            #"{"text": "Hello world", "error_code": 0, "finish_reason": "stop", "logprobs": \#(two)}"#,
        ] {
            switch transcoder.consume(try FastChatChunk(parsing: ByteBuffer(string: object))) {
            case .more(let more), .finished(let more): bytes.writeImmutableBuffer(more)
            case .failed(let error, _): Issue.record("\(error)")
            }
        }
        var parser = ServerSentEventParser()
        let choices = try parser.feed(bytes).map { try JSONValue(parsing: ByteBuffer(bytes: $0))["choices"]?.array?.first }
        #expect(choices.map { $0?["text"]?.string } == ["Hello", " world", ""])
        #expect(choices.map { $0?["logprobs"]?["tokens"] } == [.array([.string("Hello")]), .array([.string(" world")]), nil])
        #expect(choices[2]?["logprobs"] == .null, "the finish has no tokens left to carry")
        #expect(choices[1]?["logprobs"]?["text_offset"] == .array([.number(5)]))
    }

    @Test func malformedLogprobsAreDroppedNotFatal() throws {
        for malformed in [
            #""yes""#,
            #"{"text_offset": [0], "tokens": ["a", "b"], "token_logprobs": [-1, -2], "top_logprobs": []}"#,
            #"{"text_offset": [0, 1], "tokens": ["a", 7], "token_logprobs": [-1, -2], "top_logprobs": []}"#,
            #"{"text_offset": [0, 1], "tokens": ["a", "b"], "token_logprobs": [-1, "x"], "top_logprobs": []}"#,
        ] {
            let chunk = try Self.chunk(logprobs: malformed)
            #expect(chunk.logprobs == nil, "\(malformed)")
            #expect(chunk.text == "Once upon")
        }
        // Absurd numbers are clamped; alternatives of another length become nulls.
        let clamped = try Self.chunk(logprobs: #"{"text_offset": [-3, 1e300], "tokens": ["a", "b"], "token_logprobs": [-1e300, 0], "top_logprobs": [{}]}"#)
        #expect(clamped.logprobs?.textOffset == [0, FastChatChunk.tokenLimit])
        #expect(clamped.logprobs?.topLogprobs == [nil, nil])
    }

    @Test func textCompletionsFromOtherServersStillDecode() throws {
        let foreign = #"{"text":"x","index":0,"logprobs":{"tokens":"not a list"},"finish_reason":"stop"}"#
        let choice = try JSONDecoder().decode(TextCompletion.Choice.self, from: Data(foreign.utf8))
        #expect(choice.logprobs == nil)
        #expect(choice.finishReason == "stop")
    }
}
