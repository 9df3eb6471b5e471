import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore

/// What a worker wraps: something that answers OpenAI requests.
///
/// A backend gets the raw request body (so fields it does not know survive) and returns a
/// response whose body the worker streams to the gateway as it is produced.
public protocol ModelBackend: Sendable {
    func respond(to request: BackendRequest) async throws -> BackendResponse
    /// Whether the backend can take requests; drives the worker's `/health`.
    func isHealthy() async -> Bool
}

public struct BackendRequest: Sendable {
    public var endpoint: Endpoint
    public var body: ByteBuffer
    public var requestID: String
    /// Request headers a backend may act on (the simulator's fault injection reads them).
    public var headers: HTTPFields

    public init(endpoint: Endpoint = .chatCompletions, body: ByteBuffer, requestID: String, headers: HTTPFields = [:]) {
        self.endpoint = endpoint
        self.body = body
        self.requestID = requestID
        self.headers = headers
    }
}

public struct BackendResponse: Sendable {
    public var status: HTTPResponse.Status
    public var contentType: String
    public var body: ResponseBody
    /// The whole body, when the backend already holds it: the worker then answers with its
    /// length in one write rather than a chunked body written in three.
    public var whole: ByteBuffer?

    public init(status: HTTPResponse.Status = .ok, contentType: String, body: ResponseBody) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public init(status: HTTPResponse.Status = .ok, contentType: String, whole: ByteBuffer) {
        self.init(status: status, contentType: contentType, body: ResponseBody(byteBuffer: whole))
        self.whole = whole
    }
}
