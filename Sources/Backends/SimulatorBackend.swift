import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore

/// A built-in model: answers chat, completions and embeddings at the configured pace, exactly as
/// an OpenAI server would, and misbehaves on request (``SimulatedFault``) for conformance tests.
/// With `tools` in a chat request it calls a tool, as a real model would; asked to judge answers
/// in `switchyard eval`'s verdict format, it answers as a deterministic judge (``SimulatedJudge``).
public struct SimulatorBackend: ModelBackend {
    public let configuration: SimulatorConfiguration

    public init(configuration: SimulatorConfiguration = .init()) {
        self.configuration = configuration
    }

    public func isHealthy() async -> Bool { true }

    public func respond(to request: BackendRequest) async throws -> BackendResponse {
        let parsed = try JSONDecoder.decode(SimulatorRequest.self, from: request.body)
        try parsed.checkLimits()
        if let failure = parsed.fault?.failure { throw failure }
        if let stall = parsed.fault?.stallBeforeFirstByte { try await Task.sleep(for: stall) }
        switch request.endpoint {
        case .chatCompletions: return try chat(parsed)
        case .completions: return try completions(parsed)
        case .embeddings: return try embeddings(parsed)
        }
    }

    func chat(_ request: SimulatorRequest) throws -> BackendResponse {
        guard let messages = request.messages, !messages.isEmpty else {
            throw OpenAIError.badRequest("'messages' must contain at least one message.", param: "messages", code: "invalid_value")
        }
        let id = Self.makeID(prefix: "chatcmpl-")
        let created = Int(Date().timeIntervalSince1970)
        // A tool call's arguments take every word; a reply only the words it can use.
        let words = SimulatedReply.words(
            in: messages.last { $0.role == "user" }?.content ?? "",
            limit: request.calledFunction != nil ? .max : SimulatedReply.sourceLimit(outputTokens: configuration.outputTokens, choices: request.choiceCount)
        )
        let promptTokens = messages.reduce(0) { $0 + SimulatedReply.wordCount(in: $1.content ?? "") }
        // Asked for a verdict, the simulator answers as a judge (whole, unless the limit cuts it).
        let verdict = SimulatedJudge.verdict(for: messages).map { SimulatedReply.words(in: $0) }
        let replies = (0..<request.choiceCount).map { choice in
            SimulatedReply(
                promptTokens: promptTokens, source: verdict ?? words, limit: request.maxCompletionTokens ?? request.maxTokens,
                outputTokens: verdict?.count ?? configuration.outputTokens, choice: verdict == nil ? choice : 0
            )
        }
        let toolCalls = request.calledFunction.map { function in
            (0..<request.choiceCount).map { _ in SimulatedToolCall(function: function, words: words, id: Self.makeID(prefix: "call_")) }
        }
        let asJSON = request.responseFormat.map { $0.type != "text" } ?? false
        let usage = Usage(
            promptTokens: promptTokens,
            completionTokens: toolCalls != nil ? request.choiceCount : replies.reduce(0) { $0 + $1.tokens.count }
        )

        func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil) -> ChatCompletionChunk {
            ChatCompletionChunk(id: id, created: created, model: request.model, choices: choices, usage: usage)
        }

        guard request.isStreaming else {
            let choices = replies.enumerated().map { index, reply in
                if let call = toolCalls?[index] {
                    return ChatCompletion.Choice(index: index, message: .init(content: nil, toolCalls: [call.whole]), finishReason: "tool_calls")
                }
                let content = asJSON ? Self.jsonText(reply.text) : reply.text
                return ChatCompletion.Choice(index: index, message: .init(content: content), finishReason: reply.finishReason)
            }
            return try whole(ChatCompletion(id: id, created: created, model: request.model, choices: choices, usage: usage), tokens: replies[0].tokens.count, fault: request.fault)
        }

        var script = SimulatedScript()
        for index in replies.indices {
            script.append(chunk([.init(index: index, delta: .init(role: "assistant", content: ""))]))
        }
        if let toolCalls {
            for (round, _) in toolCalls[0].fragments(index: 0).enumerated() {
                for (index, call) in toolCalls.enumerated() {
                    script.append(chunk([.init(index: index, delta: .init(toolCalls: [call.fragments(index: 0)[round]]))]), token: round)
                }
            }
            for index in replies.indices {
                script.append(chunk([.init(index: index, delta: .init(), finishReason: "tool_calls")]))
            }
        } else {
            let pieces = replies.map { asJSON ? Self.jsonPieces($0.tokens) : $0.tokens }
            for round in 0..<(pieces.map(\.count).max() ?? 0) {
                for (index, tokens) in pieces.enumerated() where round < tokens.count {
                    script.append(chunk([.init(index: index, delta: .init(content: tokens[round]))]), token: round)
                }
            }
            for (index, reply) in replies.enumerated() {
                script.append(chunk([.init(index: index, delta: .init(), finishReason: reply.finishReason)]))
            }
        }
        if request.includeUsage { script.append(chunk([], usage: usage)) }
        return stream(script, fault: request.fault)
    }

    func completions(_ request: SimulatorRequest) throws -> BackendResponse {
        let texts = SimulatorRequest.texts(of: request.prompt)
        let prompts = texts.isEmpty ? [""] : texts
        let id = Self.makeID(prefix: "cmpl-")
        let created = Int(Date().timeIntervalSince1970)
        // Choice indexes run across prompts, `n` per prompt, as OpenAI numbers them.
        let sourceLimit = SimulatedReply.sourceLimit(outputTokens: configuration.outputTokens, choices: request.choiceCount)
        let promptTokens = prompts.map(SimulatedReply.wordCount(in:))
        let replies = zip(prompts, promptTokens).flatMap { prompt, tokens in
            let source = SimulatedReply.words(in: prompt, limit: sourceLimit)
            return (0..<request.choiceCount).map { choice in
                SimulatedReply(
                    promptTokens: tokens, source: source,
                    limit: request.maxTokens ?? 16, outputTokens: configuration.outputTokens, choice: choice
                )
            }
        }
        let usage = Usage(
            promptTokens: promptTokens.reduce(0, +),
            completionTokens: replies.reduce(0) { $0 + $1.tokens.count }
        )
        func completion(_ choices: [TextCompletion.Choice], usage: Usage? = nil) -> TextCompletion {
            TextCompletion(id: id, created: created, model: request.model, choices: choices, usage: usage)
        }
        guard request.isStreaming else {
            let choices = replies.enumerated().map { TextCompletion.Choice(text: $1.text, index: $0, finishReason: $1.finishReason) }
            return try whole(completion(choices, usage: usage), tokens: replies.map(\.tokens.count).max() ?? 0, fault: request.fault)
        }
        var script = SimulatedScript()
        for round in 0..<(replies.map(\.tokens.count).max() ?? 0) {
            for (index, reply) in replies.enumerated() where round < reply.tokens.count {
                script.append(completion([.init(text: reply.tokens[round], index: index, finishReason: nil)]), token: round)
            }
        }
        for (index, reply) in replies.enumerated() {
            script.append(completion([.init(text: "", index: index, finishReason: reply.finishReason)]))
        }
        if request.includeUsage { script.append(completion([], usage: usage)) }
        return stream(script, fault: request.fault)
    }

    func embeddings(_ request: SimulatorRequest) throws -> BackendResponse {
        let inputs = SimulatorRequest.texts(of: request.input)
        guard !inputs.isEmpty else {
            throw OpenAIError.badRequest("'input' must hold at least one text.", param: "input", code: "invalid_value")
        }
        let base64 = request.encodingFormat == "base64"
        let data = inputs.enumerated().map { index, text in
            EmbeddingList.Embedding(
                index: index,
                embedding: .init(SimulatedEmbedding.vector(for: text, dimensions: request.dimensions ?? configuration.embeddingDimensions), base64: base64)
            )
        }
        let tokens = inputs.reduce(0) { $0 + max(1, SimulatedReply.wordCount(in: $1)) }
        return try whole(EmbeddingList(data: data, model: request.model, usage: .init(promptTokens: tokens)), tokens: 0, fault: nil)
    }

    /// A non-streamed answer after the time its tokens would take; `drop_after` cuts the body in half.
    func whole(_ value: some Encodable, tokens: Int, fault: SimulatedFault?) throws -> BackendResponse {
        let bytes = ByteBuffer(data: try JSONEncoder.switchyard.encode(value))
        let configuration = self.configuration
        if fault == nil, configuration.timeToFirstToken == .zero, configuration.interTokenDelay == nil || tokens <= 1 {
            return BackendResponse(contentType: "application/json", whole: bytes)
        }
        return BackendResponse(
            contentType: "application/json",
            body: ResponseBody { writer in
                try await Task.sleep(for: configuration.timeToFirstToken)
                if let delay = configuration.interTokenDelay, tokens > 1 { try await Task.sleep(for: delay * (tokens - 1)) }
                if let stall = fault?.stallInsideAnswer { try await Task.sleep(for: stall) }
                if fault?.dropAfter != nil {
                    try await writer.write(bytes.getSlice(at: bytes.readerIndex, length: bytes.readableBytes / 2)!)
                    throw SimulatedFault.Dropped()
                }
                if fault?.errorAfter != nil { throw SimulatedFault.midStreamError }
                try await writer.write(bytes)
                try await writer.finish(nil)
            }
        )
    }

    /// Streams a script: the time to first token, then the token rate, with the requested faults.
    func stream(_ script: SimulatedScript, fault: SimulatedFault?) -> BackendResponse {
        let configuration = self.configuration
        return BackendResponse(
            contentType: "text/event-stream",
            body: ResponseBody { writer in
                try await Task.sleep(for: configuration.timeToFirstToken)
                var round = -1
                for event in script.events {
                    if let token = event.token, token != round {
                        if token > 0, let delay = configuration.interTokenDelay { try await Task.sleep(for: delay) }
                        if let stall = fault?.stall(after: token) { try await Task.sleep(for: stall) }
                        if fault?.dropAfter == token { throw SimulatedFault.Dropped() }
                        if fault?.errorAfter == token {
                            try await writer.write(.serverSentEvent(SimulatedFault.midStreamError.jsonBody()))
                            break
                        }
                        round = token
                    }
                    try await writer.write(.serverSentEvent(event.payload))
                }
                try await writer.write(.serverSentEventsDone)
                try await writer.finish(nil)
            }
        )
    }

    static func makeID(prefix: String) -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// A reply as JSON text, for `response_format` json_object / json_schema.
    static func jsonText(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["answer": text])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The JSON reply cut into stream pieces at the token boundaries.
    static func jsonPieces(_ tokens: [String]) -> [String] {
        let text = jsonText(tokens.joined())
        let prefix = #"{"answer":""#
        guard tokens.count > 1, text.hasPrefix(prefix) else { return [text] }
        let body = String(text.dropFirst(prefix.count).dropLast(2))
        let size = max(1, body.count / tokens.count)
        var pieces = [prefix]
        var rest = Substring(body)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        pieces.append(#""}"#)
        return pieces
    }
}

/// The events of a simulated stream in order; `token` marks generated tokens, which are paced
/// and counted for faults, so that interleaved choices of one round go out together.
struct SimulatedScript {
    struct Event {
        var payload: [UInt8]
        var token: Int?
    }

    private(set) var events: [Event] = []

    mutating func append(_ value: some Encodable, token: Int? = nil) {
        let data = (try? JSONEncoder.switchyard.encode(value)) ?? Data()
        events.append(Event(payload: Array(data), token: token))
    }
}
