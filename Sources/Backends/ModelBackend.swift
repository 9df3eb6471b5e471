import HTTPTypes
import Hummingbird
import NIOCore

/// What a worker wraps: something that answers OpenAI chat completion requests.
///
/// A backend gets the raw request body (so fields it does not know survive) and returns a
/// response whose body the worker streams to the gateway as it is produced.
public protocol ModelBackend: Sendable {
    func chatCompletion(_ request: BackendRequest) async throws -> BackendResponse
    /// Whether the backend can take requests; drives the worker's `/health`.
    func isHealthy() async -> Bool
}

public struct BackendRequest: Sendable {
    public var body: ByteBuffer
    public var requestID: String

    public init(body: ByteBuffer, requestID: String) {
        self.body = body
        self.requestID = requestID
    }
}

public struct BackendResponse: Sendable {
    public var status: HTTPResponse.Status
    public var contentType: String
    public var body: ResponseBody

    public init(status: HTTPResponse.Status = .ok, contentType: String, body: ResponseBody) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}
