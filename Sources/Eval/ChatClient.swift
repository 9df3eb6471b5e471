import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore

/// Asks the gateway's `/v1/chat/completions` for one non-streamed reply, retrying what a retry can
/// cure (``RetryPolicy``).
public struct ChatClient: Sendable {
    /// A request that failed for good, with the last reason.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Replies larger than this are refused: a chat answer is kilobytes.
    public static let maxReplyBytes = 16 << 20

    public let endpoint: String
    public let apiKey: String?
    public let retry: RetryPolicy
    private let client: HTTPClient

    public init(gateway: String, apiKey: String?, client: HTTPClient, retry: RetryPolicy = .init()) {
        let base = gateway.trimmingSuffix("/")
        endpoint = (base.hasSuffix("/v1") ? base : base + "/v1") + "/chat/completions"
        self.apiKey = apiKey
        self.client = client
        self.retry = retry
    }

    struct Body: Encodable {
        var model: String
        var messages: [ChatCompletionRequest.Message]
        var temperature: Double
        var maxTokens: Int
        var stream = false

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature, stream
            case maxTokens = "max_tokens"
        }
    }

    /// The text of the reply's first choice.
    public func complete(model: String, messages: [ChatCompletionRequest.Message], temperature: Double, maxTokens: Int) async throws -> String {
        let body = ByteBuffer(data: try JSONEncoder.switchyard.encode(Body(model: model, messages: messages, temperature: temperature, maxTokens: maxTokens)))
        var lastProblem = ""
        for attempt in 1...retry.attempts {
            if attempt > 1 { try await Task.sleep(for: retry.delay(after: attempt - 1)) }
            do {
                switch try await send(body) {
                case .success(let text): return text
                case .failure(let problem) where problem.retryable: lastProblem = problem.message
                case .failure(let problem): throw Failure(description: problem.message)
                }
            } catch let error as Failure {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastProblem = "\(error)"
            }
        }
        throw Failure(description: "\(lastProblem) (after \(retry.attempts) attempts)")
    }

    struct Problem: Error {
        var message: String
        var retryable: Bool
    }

    private func send(_ body: ByteBuffer) async throws -> Result<String, Problem> {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(600))
        let bytes = try await response.body.collect(upTo: Self.maxReplyBytes)
        let status = Int(response.status.code)
        guard status == 200 else {
            let detail = (try? JSONDecoder.decode(OpenAIError.Body.self, from: bytes))?.error.message ?? String(buffer: bytes).clipped(toUTF8Count: 200)
            return .failure(Problem(message: "HTTP \(status): \(detail)", retryable: RetryPolicy.isRetryable(status: status)))
        }
        guard let content = try? JSONValue(parsing: bytes)["choices"]?.array?.first?["message"]?["content"]?.string else {
            return .failure(Problem(message: "the reply holds no choices[0].message.content", retryable: true))
        }
        return .success(content)
    }
}
