import Backends
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import Testing

@Suite struct SimulatedReplyTests {
    func request(_ content: String, limit: Int? = nil) -> ChatCompletionRequest {
        var body: [String: Any] = ["model": "m", "messages": [["role": "system", "content": "Be brief"], ["role": "user", "content": content]]]
        if let limit { body["max_tokens"] = limit }
        let data = try! JSONSerialization.data(withJSONObject: body)
        return try! JSONDecoder().decode(ChatCompletionRequest.self, from: data)
    }

    @Test func repliesDeterministicallyWithHonestCounts() {
        let reply = SimulatedReply(for: request("one two three"), outputTokens: 5)
        #expect(reply.text == "one two three one two")
        #expect(reply.tokens.count == 5)
        #expect(reply.usage == Usage(promptTokens: 5, completionTokens: 5))
        #expect(reply.finishReason == "stop")
        #expect(SimulatedReply(for: request("one two three"), outputTokens: 5) == reply)
    }

    @Test func requestLimitCutsTheReplyWithLengthFinish() {
        let reply = SimulatedReply(for: request("alpha beta", limit: 3), outputTokens: 10)
        #expect(reply.tokens == ["alpha", " beta", " alpha"])
        #expect(reply.finishReason == "length")
    }

    @Test func contentPartsAndEmptyPromptsWork() throws {
        let data = Data(#"{"model":"m","max_completion_tokens":2,"messages":[{"role":"user","content":[{"type":"text","text":"hi there"},{"type":"image_url","image_url":{"url":"x"}}]}]}"#.utf8)
        let parsed = try JSONDecoder().decode(ChatCompletionRequest.self, from: data)
        #expect(SimulatedReply(for: parsed, outputTokens: 8).text == "hi there")
        #expect(SimulatedReply(for: request(""), outputTokens: 2).text == "Hello Hello")
    }

    @Test func wordsEndAtEveryWhitespaceACharacterHas() {
        let text = "a\u{00A0}b\u{2003}c\r\nd\te\u{3000}f  e\u{0301}g \u{85}h\u{0B}i\u{0C}"
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let reply = SimulatedReply(for: request(text), outputTokens: words.count)
        #expect(reply.promptTokens == words.count + 2)
        #expect(reply.text == words.joined(separator: " "))
    }

    @Test func aLongPromptIsCountedWholeAndRepliedFromItsStart() {
        let prompt = String(repeating: "w1 w2 w3 ", count: 100_000)
        #expect(SimulatedReply(for: request(prompt), outputTokens: 4, choice: 2).text == "w3 w1 w2 w3")
        #expect(SimulatedReply(for: request(prompt), outputTokens: 4).promptTokens == 300_002)
    }
}

@Suite struct SimulatorBackendTests {
    func run(_ json: String, configuration: SimulatorConfiguration = .init(outputTokens: 3)) async throws -> (BackendResponse, String) {
        let backend = SimulatorBackend(configuration: configuration)
        let response = try await backend.respond(to: BackendRequest(body: ByteBuffer(string: json), requestID: "r"))
        let collector = CollectingWriter()
        try await response.body.write(collector)
        return (response, await collector.text)
    }

    @Test func nonStreamedCompletionHasOpenAIShape() async throws {
        let (response, text) = try await run(#"{"model":"m","messages":[{"role":"user","content":"a b"}]}"#)
        #expect(response.contentType == "application/json")
        let completion = try JSONDecoder().decode(ChatCompletion.self, from: Data(text.utf8))
        #expect(completion.object == "chat.completion")
        #expect(completion.id.hasPrefix("chatcmpl-"))
        #expect(completion.choices.first?.message.content == "a b a")
        #expect(completion.usage == Usage(promptTokens: 2, completionTokens: 3))
    }

    @Test func streamSendsRoleOnceThenTokensFinishUsageAndDone() async throws {
        let (response, text) = try await run(#"{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"a b"}]}"#)
        #expect(response.contentType == "text/event-stream")
        var parser = ServerSentEventParser()
        let events = parser.feed(ByteBuffer(string: text)).map { String(decoding: $0, as: UTF8.self) }
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
        #expect(chunks.compactMap { $0.choices.first?.delta.role } == ["assistant"])
        #expect(chunks.compactMap { $0.choices.first?.delta.content }.joined() == "a b a")
        #expect(chunks.compactMap { $0.choices.first?.finishReason } == ["stop"])
        #expect(chunks.last?.choices.isEmpty == true)
        #expect(chunks.last?.usage == Usage(promptTokens: 2, completionTokens: 3))
        #expect(Set(chunks.map(\.id)).count == 1)
    }

    @Test func streamWithoutUsageOptionHasNoUsageChunk() async throws {
        let (_, text) = try await run(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"a"}]}"#)
        #expect(!text.contains("usage"))
    }

    @Test func emptyMessagesAreA400() async throws {
        await #expect(throws: OpenAIError.self) {
            _ = try await run(#"{"model":"m","messages":[]}"#)
        }
        await #expect(throws: OpenAIError.self) {
            _ = try await run(#"{"model":"m"}"#)
        }
    }
}

/// Collects what a response body writes.
final class CollectingWriter: ResponseBodyWriter, @unchecked Sendable {
    private var buffer = ByteBuffer()
    var text: String { get async { String(buffer: buffer) } }

    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.buffer.writeBuffer(&copy)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
