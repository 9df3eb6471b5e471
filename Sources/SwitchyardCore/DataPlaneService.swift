import HTTPTypes
import NIOCore

/// A daemon's answers to the OpenAI requests its ``DataPlaneHandler`` reads: the gateway relays
/// them to a worker, a worker hands them to its backend.
public protocol DataPlaneService: Sendable {
    /// What a request's head grants (an API key's models, say), handed on to ``serve(_:admitted:to:)``.
    associatedtype Admission: Sendable

    /// Checks a request at its head, before its body is read; throws the answer to a refused one.
    func admit(_ head: HTTPRequest) throws(OpenAIError) -> Admission

    /// Answers a request read whole. Runs in the request's own task, on the connection's event
    /// loop, with ``RequestID/current`` set; a client that leaves cancels it.
    func serve(_ request: DataPlaneRequest, admitted: Admission, to writer: DataPlaneWriter) async
}

/// One OpenAI request, read whole.
public struct DataPlaneRequest: Sendable {
    public var endpoint: Endpoint
    public var headers: HTTPFields
    public var body: ByteBuffer

    public init(endpoint: Endpoint, headers: HTTPFields, body: ByteBuffer) {
        self.endpoint = endpoint
        self.headers = headers
        self.body = body
    }
}
