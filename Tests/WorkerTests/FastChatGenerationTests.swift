import FastChatAdapter
import Foundation
import NIOCore
import SwitchyardCore
import Testing
@testable import Worker

@Suite struct FastChatGenerationTests {
    static func parse(_ json: String) throws(FastChatFailure) -> FastChatGeneration {
        try FastChatGeneration(parsing: ByteBuffer(string: json))
    }

    static func code(_ json: String) -> FastChatErrorCode? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func absentValuesTakeFastChatsWorkerDefaults() throws {
        let generation = try Self.parse(#"{"prompt": "Hi"}"#)
        #expect(generation.temperature == 1)
        #expect(generation.maxNewTokens == 256)
        #expect(generation.echo)
        #expect(generation.topK == -1)
        #expect(generation.stop.isEmpty)
    }

    @Test func mapsOntoACompletionsRequest() throws {
        let generation = try Self.parse(#"""
            {"model": "m", "prompt": "USER: Hi ASSISTANT:", "temperature": 0.7, "top_p": 0.9, "top_k": 40,
             "max_new_tokens": 32, "echo": false, "logprobs": 2, "presence_penalty": 0.5, "frequency_penalty": 0,
             "stop": ["</s>", "USER:", "a", "b", "c"], "stop_token_ids": [2, 32000], "images": []}
            """#)
        let body = try JSONValue(parsing: generation.completionsBody(model: "backend-model"))
        #expect(body["model"]?.string == "backend-model")
        #expect(body["prompt"]?.string == "USER: Hi ASSISTANT:")
        #expect(body["stream"]?.bool == true)
        #expect(body["stream_options"]?["include_usage"]?.bool == true)
        #expect(body["max_tokens"]?.integer == 32)
        #expect(body["temperature"]?.number == 0.7)
        #expect(body["top_p"]?.number == 0.9)
        #expect(body["top_k"]?.integer == 40)
        #expect(body["presence_penalty"]?.number == 0.5)
        #expect(body["frequency_penalty"] == nil)
        #expect(body["logprobs"]?.integer == 2)
        #expect(body["echo"] == nil, "the worker echoes the prompt itself")
        // OpenAI servers take four stops; all five are matched by the worker.
        #expect(body["stop"]?.array?.compactMap(\.string) == ["</s>", "USER:", "a", "b"])
        #expect(generation.stop.count == 5)
        #expect(body["stop_token_ids"]?.array?.compactMap(\.integer) == [2, 32000])
        let plain = try JSONValue(parsing: try Self.parse(#"{"prompt": "x", "stop": "@@@"}"#).completionsBody(model: "m"))
        #expect(plain["top_k"] == nil)
        #expect(plain["stop"]?.array?.compactMap(\.string) == ["@@@"])
        #expect(plain["stop_token_ids"] == nil)
    }

    @Test func hostileValuesAreFastChatErrors() {
        #expect(Self.code(#"{"prompt": "x", "max_new_tokens": -1}"#) == .paramOutOfRange)
        #expect(Self.code(#"{"prompt": "x", "max_new_tokens": 1e12}"#) == .paramOutOfRange)
        #expect(Self.code(#"{"prompt": "x", "max_new_tokens": 1.5}"#) == .validationTypeError)
        #expect(Self.code(#"{"prompt": "x", "temperature": "abc"}"#) == .validationTypeError)
        #expect(Self.code(#"{"prompt": "x", "temperature": NaN}"#) == .validationTypeError)
        #expect(Self.code(#"{"prompt": "x", "temperature": 1e308}"#) == .paramOutOfRange)
        #expect(Self.code(#"{"prompt": "x", "top_p": -0.1}"#) == .paramOutOfRange)
        #expect(Self.code(#"{"prompt": "x", "top_k": 0}"#) == .paramOutOfRange)
        #expect(Self.code(#"{"prompt": "x", "logprobs": 1000}"#) == .paramOutOfRange)
        #expect(Self.code(#"{"prompt": "x", "echo": "yes"}"#) == .validationTypeError)
        #expect(Self.code(#"{"prompt": "x", "stop": 5}"#) == .validationTypeError)
        #expect(Self.code(#"{"prompt": "x", "stop": ["\#(String(repeating: "s", count: 200))"]}"#) == .paramOutOfRange)
        #expect(Self.code(#"{"prompt": "x", "stop_token_ids": [-1]}"#) == .validationTypeError)
        #expect(Self.code(#"{"prompt": "x", "stop_token_ids": [\#((0..<100).map(String.init).joined(separator: ","))]}"#) == .paramOutOfRange)
        #expect(Self.code(#"{"temperature": 1}"#) == .validationTypeError)
        #expect(Self.code(#"[1, 2]"#) == .validationTypeError)
        #expect(Self.code(#"{"prompt": "x", "max_new_tokens": 1}"#) == nil)
    }

    @Test func failuresHaveFastChatsShapeAndAnHTTPStatus() throws {
        let failure = FastChatFailure(.paramOutOfRange, "bad")
        #expect(failure.status == .badRequest)
        let body = try JSONValue(parsing: failure.json)
        #expect(body["text"]?.string == "bad")
        #expect(body["error_code"]?.integer == 40302)
        #expect(FastChatFailure.backend("boom").status == .internalServerError)
        #expect(FastChatFailure.backend("boom").message.hasSuffix("(boom)"))
        #expect(Worker.failure(status: .badRequest, code: "context_length_exceeded", message: "long").code == .contextOverflow)
        #expect(Worker.failure(status: .tooManyRequests, code: nil, message: "busy").code == .engineOverloaded)
        #expect(Worker.failure(status: .badGateway, code: nil, message: "down").code == .internalError)
    }

    @Test func base64EmbeddingsAreLittleEndianFloat32() throws {
        let encoded = Worker.base64Float32([1, -2.5])
        let bytes = try #require(Data(base64Encoded: encoded))
        #expect(Array(bytes) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0])
    }
}
