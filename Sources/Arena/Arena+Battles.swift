import Foundation
import Leaderboard
import Gateway
import Hummingbird
import NIOCore
import Routing
import SwitchyardCore

extension Arena {
    /// The body of `POST /arena/battles`.
    struct BattleRequest: Decodable {
        /// Absent for a new battle; a follow-up turn names its battle.
        var battleID: String?
        /// The new messages: the whole opening conversation, or the next user turn.
        var messages: [ChatMessage]
        var maxTokens: Int?
        var temperature: Double?

        enum CodingKeys: String, CodingKey {
            case battleID = "battle_id"
            case messages
            case maxTokens = "max_tokens"
            case temperature
        }
    }

    /// One server-sent event of a battle stream.
    struct BattleEvent: Encodable {
        enum Kind: String, Encodable { case battle, delta, done, error }
        var type: Kind
        var battleID: String? = nil
        var turn: Int? = nil
        var side: String? = nil
        var content: String? = nil
        var finishReason: String? = nil
        var error: OpenAIError.Body.Detail? = nil

        enum CodingKeys: String, CodingKey {
            case type, turn, side, content, error
            case battleID = "battle_id"
            case finishReason = "finish_reason"
        }
    }

    /// Starts a battle or plays its next turn, streaming both anonymous answers in one SSE stream.
    ///
    /// A turn that would take the battle past ``BattleLimits/maxTurns`` or
    /// ``BattleLimits/maxBattleBytes`` is refused with 400 before anything is kept; a body past
    /// twice the battle size (it holds the new messages once, the battle twice) is 413.
    func battle(_ request: Request) async throws -> Response {
        let limits = configuration.battleLimits
        let body = try await request.decodeJSON(BattleRequest.self, limit: limits.maxBattleBytes.multipliedReportingOverflow(by: 2).partialValue)
        guard !body.messages.isEmpty else {
            throw OpenAIError.badRequest("'messages' must contain at least one message.", param: "messages", code: "invalid_value")
        }
        let id: String
        var conversation: BattleConversation
        if let existing = body.battleID {
            guard let ongoing = self.conversation(of: existing) else {
                throw OpenAIError(
                    status: .notFound,
                    message: "No battle \(existing) is in progress (it was voted on, outgrew the arena's limits or was forgotten); start a new one.",
                    param: "battle_id",
                    code: "battle_not_found"
                )
            }
            guard ongoing.turns < limits.maxTurns else {
                throw OpenAIError.badRequest(
                    "Battle \(existing) has had \(limits.maxTurns) turns, the most a battle may have; vote or start a new one.",
                    param: "battle_id",
                    code: "battle_too_long"
                )
            }
            if try await store.battle(existing)?.verdict != nil {
                throw OpenAIError(status: .conflict, message: "Battle \(existing) has been voted on; start a new one.", param: "battle_id", code: "battle_voted")
            }
            id = existing
            conversation = ongoing
        } else {
            var random = SystemRandomNumberGenerator()
            guard let pair = sampler.draw(from: gateway.directory.modelNames, using: &random) else {
                throw OpenAIError(
                    status: .serviceUnavailable,
                    message: "A battle needs two different models and fewer are being served right now.",
                    retryAfter: .seconds(5)
                )
            }
            id = "battle_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            conversation = BattleConversation(modelA: pair.a, modelB: pair.b, messagesA: [], messagesB: [], turns: 0)
        }
        conversation.messagesA += body.messages
        conversation.messagesB += body.messages
        conversation.turns += 1
        let turn = conversation.turns
        guard conversation.bytes <= limits.maxBattleBytes else {
            throw OpenAIError.badRequest(
                "The battle's conversation would hold more than \(limits.maxBattleBytes) bytes; send shorter messages or start a new battle.",
                param: "messages",
                code: "battle_too_long"
            )
        }
        if body.battleID == nil {
            try await store.createBattle(BattleRecord(id: id, modelA: conversation.modelA, modelB: conversation.modelB, createdAt: Date()))
            logger.info("battle started", metadata: ["battle_id": "\(id)"])
        }
        let (events, sink) = AsyncStream<ByteBuffer>.makeStream()
        let start = conversation
        let requestID = RequestID.current

        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .accelBuffering: "no"],
            body: ResponseBody { writer in
                let producer = Task {
                    // The body runs after the request's scope: carry its id to both workers.
                    await RequestID.$current.withValue(requestID) {
                        await self.play(start, battleID: id, turn: turn, request: body, sink: sink)
                    }
                }
                do {
                    for await event in events { try await writer.write(event) }
                    try await writer.finish(nil)
                } catch {
                    producer.cancel()
                    throw error
                }
            }
        )
    }

    /// Plays one turn: both answers into the stream, then the conversation kept for the next turn.
    func play(_ conversation: BattleConversation, battleID id: String, turn: Int, request: BattleRequest, sink: AsyncStream<ByteBuffer>.Continuation) async {
        var finished = conversation
        sink.yield(Self.event(BattleEvent(type: .battle, battleID: id, turn: turn)))
        async let answerA = answer(side: "a", model: conversation.modelA, messages: conversation.messagesA, request: request, sink: sink)
        async let answerB = answer(side: "b", model: conversation.modelB, messages: conversation.messagesB, request: request, sink: sink)
        let (replyA, replyB) = await (answerA, answerB)
        finished.messagesA.append(ChatMessage(role: "assistant", content: replyA.text))
        finished.messagesB.append(ChatMessage(role: "assistant", content: replyB.text))
        // Usage is a peer's number: clamped before it is added up.
        finished.tokensA = min(finished.tokensA + min(max(replyA.tokens ?? AnswerStyle.estimatedTokens(replyA.text), 0), AnswerStyle.maxCount), AnswerStyle.maxCount)
        finished.tokensB = min(finished.tokensB + min(max(replyB.tokens ?? AnswerStyle.estimatedTokens(replyB.text), 0), AnswerStyle.maxCount), AnswerStyle.maxCount)
        // A vote cast while this turn streamed has closed the battle: do not reopen it.
        if (try? await store.battle(id))??.verdict == nil {
            save(finished, as: id)
        }
        try? await store.updateTurns(
            of: id,
            turns: finished.turns,
            conversations: configuration.storeConversations ? Self.encoded(finished) : nil,
            style: finished.style
        )
        sink.yield(.serverSentEventsDone)
        sink.finish()
    }

    /// One side's answer to a turn: its full text, and its completion tokens if the backend said.
    struct Reply: Sendable {
        var text = ""
        var tokens: Int?
    }

    /// Streams one side's answer into the battle stream and returns it.
    func answer(side: String, model: String, messages: [ChatMessage], request: BattleRequest, sink: AsyncStream<ByteBuffer>.Continuation) async -> Reply {
        var reply = Reply()
        do {
            let chat = ChatBody(model: model, messages: messages, stream: true, maxTokens: request.maxTokens, temperature: request.temperature)
            let body = ByteBuffer(data: try JSONEncoder.switchyard.encode(chat))
            let upstream = try await gateway.dispatch(body, for: RoutingRequest(model: model))
            defer { upstream.lease.release() }
            guard upstream.status == .ok else {
                var rest = upstream.first ?? ByteBuffer()
                while var chunk = try await upstream.next() { rest.writeBuffer(&chunk) }
                let detail = (try? JSONDecoder().decode(OpenAIError.Body.self, from: rest))?.error
                sink.yield(Self.event(BattleEvent(type: .error, side: side, error: detail ?? Self.detail("The model failed with HTTP \(upstream.status.code)."))))
                return reply
            }
            var parser = ServerSentEventParser()
            var finishReason: String?
            var buffer = upstream.first
            while let chunk = buffer {
                for data in parser.feed(chunk) where data != Self.done {
                    if let failure = try? JSONDecoder().decode(OpenAIError.Body.self, from: Data(data)) {
                        sink.yield(Self.event(BattleEvent(type: .error, side: side, error: failure.error)))
                        return reply
                    }
                    guard let parsed = try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(data)) else { continue }
                    if let usage = parsed.usage { reply.tokens = usage.completionTokens }
                    for choice in parsed.choices where choice.index == 0 {
                        if let content = choice.delta.content, !content.isEmpty {
                            reply.text += content
                            sink.yield(Self.event(BattleEvent(type: .delta, side: side, content: content)))
                        }
                        finishReason = choice.finishReason ?? finishReason
                    }
                }
                buffer = try await upstream.next()
            }
            sink.yield(Self.event(BattleEvent(type: .done, side: side, finishReason: finishReason ?? "stop")))
        } catch let error as OpenAIError {
            sink.yield(Self.event(BattleEvent(type: .error, side: side, error: Self.detail(error.message, type: error.type))))
        } catch {
            sink.yield(Self.event(BattleEvent(type: .error, side: side, error: Self.detail("The model stopped responding."))))
        }
        return reply
    }

    /// The chat request the arena sends each model: no model-identifying fields from the client.
    /// It asks for usage in the stream: the answer's token count is a style-control feature.
    struct ChatBody: Encodable {
        var model: String
        var messages: [ChatMessage]
        var stream: Bool
        var maxTokens: Int?
        var temperature: Double?
        var streamOptions = StreamOptions()

        struct StreamOptions: Encodable {
            var includeUsage = true
            enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
        }

        enum CodingKeys: String, CodingKey {
            case model, messages, stream, temperature
            case maxTokens = "max_tokens"
            case streamOptions = "stream_options"
        }
    }

    static let done = Array("[DONE]".utf8)

    static func event(_ event: BattleEvent) -> ByteBuffer {
        .serverSentEvent((try? JSONEncoder.switchyard.encode(event)) ?? Data())
    }

    static func detail(_ message: String, type: String = "server_error") -> OpenAIError.Body.Detail {
        OpenAIError.Body.Detail(message: message, type: type, param: nil, code: nil)
    }

    static func encoded(_ conversation: BattleConversation) -> (a: String, b: String) {
        let encoder = JSONEncoder.switchyard
        let a = (try? encoder.encode(conversation.messagesA)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        let b = (try? encoder.encode(conversation.messagesB)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return (a, b)
    }
}
