import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import Backends

/// The simulator's other endpoints, tool calls, `n` and the faults conformance tests ask for.
@Suite struct SimulatorEndpointTests {
    let backend = SimulatorBackend(configuration: .init(outputTokens: 3, embeddingDimensions: 4))

    func run(_ json: String, endpoint: Endpoint = .chatCompletions) async throws -> String {
        let response = try await backend.respond(to: BackendRequest(endpoint: endpoint, body: ByteBuffer(string: json), requestID: "r"))
        let collector = CollectingWriter()
        try await response.body.write(collector)
        return await collector.text
    }

    func events(_ text: String) -> [String] {
        var parser = ServerSentEventParser()
        return parser.feed(ByteBuffer(string: text)).map { String(decoding: $0, as: UTF8.self) }
    }

    func chunks(_ text: String) throws -> [ChatCompletionChunk] {
        try events(text).dropLast().map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
    }

    @Test func toolCallStreamsIdAndNameOnceAndIndexOnEveryFragment() async throws {
        let text = try await run(
            #"{"model":"m","stream":true,"messages":[{"role":"user","content":"Oslo"}],"tools":[{"type":"function","function":{"name":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}}}}}]}"#
        )
        let fragments = try chunks(text).flatMap { $0.choices.first?.delta.toolCalls ?? [] }
        #expect(fragments.allSatisfy { $0.index == 0 })
        #expect(fragments.compactMap(\.id).count == 1)
        #expect(fragments.compactMap(\.function.name) == ["weather"])
        let arguments = fragments.compactMap(\.function.arguments).joined()
        #expect(arguments == #"{"city":"Oslo","unit":"c"}"#)
        #expect(try chunks(text).last?.choices.first?.finishReason == "tool_calls")
    }

    @Test func toolChoiceNoneAnswersInText() async throws {
        let text = try await run(#"{"model":"m","messages":[{"role":"user","content":"a"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none"}"#)
        let completion = try JSONDecoder().decode(ChatCompletion.self, from: Data(text.utf8))
        #expect(completion.choices[0].message.content == "a a a")
        #expect(completion.choices[0].message.toolCalls == nil)
    }

    @Test func nChoicesInterleaveOneChoicePerChunk() async throws {
        let all = try chunks(try await run(#"{"model":"m","n":2,"stream":true,"messages":[{"role":"user","content":"a b"}]}"#))
        #expect(all.allSatisfy { $0.choices.count == 1 })
        for index in 0..<2 {
            let mine = all.compactMap { $0.choices.first }.filter { $0.index == index }
            #expect(mine.compactMap(\.delta.role) == ["assistant"])
            #expect(mine.compactMap(\.finishReason) == ["stop"])
        }
        let text = { (index: Int) in all.compactMap { $0.choices.first }.filter { $0.index == index }.compactMap(\.delta.content).joined() }
        #expect(text(0) == "a b a")
        #expect(text(1) == "b a b")
    }

    @Test func completionsAnswerTextCompletions() async throws {
        let whole = try JSONDecoder().decode(TextCompletion.self, from: Data(try await run(#"{"model":"m","prompt":"x y","max_tokens":2}"#, endpoint: .completions).utf8))
        #expect(whole.object == "text_completion")
        #expect(whole.choices.map(\.text) == ["x y"])
        #expect(whole.choices.first?.finishReason == "length")
        let streamed = events(try await run(#"{"model":"m","prompt":["x","y"],"stream":true}"#, endpoint: .completions))
        #expect(streamed.last == "[DONE]")
        let pieces = try streamed.dropLast().map { try JSONDecoder().decode(TextCompletion.self, from: Data($0.utf8)) }
        #expect(Set(pieces.flatMap { $0.choices.map(\.index) }) == [0, 1])
    }

    @Test func embeddingsAreUnitVectorsAndBase64IsLittleEndianFloat32() async throws {
        let floats = try JSONDecoder().decode(EmbeddingList.self, from: Data(try await run(#"{"model":"m","input":["a","b"]}"#, endpoint: .embeddings).utf8))
        guard case .floats(let first) = floats.data[0].embedding, case .floats(let second) = floats.data[1].embedding else {
            Issue.record("expected float vectors")
            return
        }
        #expect(first.count == 4)
        #expect(abs(first.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        #expect(first != second)
        let encoded = try JSONDecoder().decode(EmbeddingList.self, from: Data(try await run(#"{"model":"m","input":"a","encoding_format":"base64"}"#, endpoint: .embeddings).utf8))
        guard case .base64(let text) = encoded.data[0].embedding, let data = Data(base64Encoded: text) else {
            Issue.record("expected base64")
            return
        }
        let decoded = stride(from: 0, to: data.count, by: 4).map { offset in
            Float(bitPattern: data[offset..<offset + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
        }
        #expect(decoded == first)
    }

    @Test func failAnswersTheRequestedStatusWithRetryAdvice() async throws {
        await #expect(throws: OpenAIError(status: .tooManyRequests, message: "Simulated failure (HTTP 429) requested by switchyard_sim.", type: "requests", code: "rate_limit_exceeded", retryAfter: .milliseconds(250))) {
            _ = try await run(#"{"model":"m","messages":[{"role":"user","content":"a"}],"switchyard_sim":{"fail":429,"retry_after":0.25}}"#)
        }
    }

    @Test(arguments: ["1e300", "1e16", "1.7976931348623157e308"])
    func absurdRetryAdviceIsCutToAnHour(value: String) async throws {
        do {
            _ = try await run(#"{"model":"m","messages":[{"role":"user","content":"a"}],"switchyard_sim":{"fail":503,"retry_after":"# + value + "}}")
            Issue.record("a fail request succeeded")
        } catch let error as OpenAIError {
            #expect(error.status == .serviceUnavailable)
            #expect(error.retryAfter == .seconds(3600))
        }
    }

    @Test(arguments: [
        (#""switchyard_sim":{"stall":1e300}"#, "switchyard_sim.stall"),
        (#""switchyard_sim":{"stall":-1,"stall_after":0}"#, "switchyard_sim.stall"),
        (#""switchyard_sim":{"stall":3601}"#, "switchyard_sim.stall"),
        (#""dimensions":999999999999999"#, "dimensions"),
        (#""dimensions":0"#, "dimensions"),
    ])
    func absurdSimulatorSettingsAreA400(field: String, param: String) async throws {
        for (endpoint, request) in [(Endpoint.embeddings, #"{"model":"m","input":"a","#), (.chatCompletions, #"{"model":"m","messages":[{"role":"user","content":"a"}],"#)] {
            let error = await #expect(throws: OpenAIError.self) {
                _ = try await run(request + field + "}", endpoint: endpoint)
            }
            #expect(error?.status == .badRequest)
            #expect(error?.param == param)
        }
    }

    @Test func aCrawlingTokenRateIsCutToAnHourPerToken() {
        #expect(SimulatorConfiguration(tokensPerSecond: 1e-300).interTokenDelay == .seconds(3600))
        #expect(SimulatorConfiguration(tokensPerSecond: 4).interTokenDelay == .milliseconds(250))
    }

    @Test func errorAfterEndsTheStreamWithAnErrorEvent() async throws {
        let all = events(try await run(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"a"}],"switchyard_sim":{"error_after":1}}"#))
        #expect(all.count == 4)
        #expect(all[2].contains(#""error""#))
        #expect(all[3] == "[DONE]")
    }

    @Test func dropAfterCutsTheBody() async throws {
        await #expect(throws: SimulatedFault.Dropped.self) {
            _ = try await run(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"a"}],"switchyard_sim":{"drop_after":1}}"#)
        }
    }
}
