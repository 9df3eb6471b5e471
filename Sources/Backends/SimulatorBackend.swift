import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore

/// A built-in model: streams ``SimulatedReply`` at the configured pace, exactly as an OpenAI server would.
public struct SimulatorBackend: ModelBackend {
    public let configuration: SimulatorConfiguration

    public init(configuration: SimulatorConfiguration = .init()) {
        self.configuration = configuration
    }

    public func isHealthy() async -> Bool { true }

    public func respond(to request: BackendRequest) async throws -> BackendResponse {
        let chat = try JSONDecoder.decode(ChatCompletionRequest.self, from: request.body)
        guard !chat.messages.isEmpty else {
            throw OpenAIError.badRequest("'messages' must contain at least one message.", param: "messages", code: "invalid_value")
        }
        let reply = SimulatedReply(for: chat, outputTokens: configuration.outputTokens)
        let id = "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let created = Int(Date().timeIntervalSince1970)
        let configuration = self.configuration

        guard chat.stream == true else {
            try await Task.sleep(for: configuration.timeToFirstToken)
            if let delay = configuration.interTokenDelay, reply.tokens.count > 1 {
                try await Task.sleep(for: delay * (reply.tokens.count - 1))
            }
            let completion = ChatCompletion(
                id: id, created: created, model: chat.model,
                content: reply.text, finishReason: reply.finishReason, usage: reply.usage
            )
            return BackendResponse(
                contentType: "application/json",
                body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder.switchyard.encode(completion)))
            )
        }

        let includeUsage = chat.streamOptions?.includeUsage == true
        return BackendResponse(
            contentType: "text/event-stream",
            body: ResponseBody { writer in
                let encoder = JSONEncoder.switchyard
                func send(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil) async throws {
                    let chunk = ChatCompletionChunk(id: id, created: created, model: chat.model, choices: choices, usage: usage)
                    try await writer.write(.serverSentEvent(try encoder.encode(chunk)))
                }
                try await Task.sleep(for: configuration.timeToFirstToken)
                try await send([.init(delta: .init(role: "assistant", content: ""))])
                for (index, token) in reply.tokens.enumerated() {
                    if index > 0, let delay = configuration.interTokenDelay { try await Task.sleep(for: delay) }
                    try await send([.init(delta: .init(content: token))])
                }
                try await send([.init(delta: .init(), finishReason: reply.finishReason)])
                if includeUsage { try await send([], usage: reply.usage) }
                try await writer.write(.serverSentEventsDone)
                try await writer.finish(nil)
            }
        )
    }
}
