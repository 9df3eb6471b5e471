import HTTPTypes
import NIOCore
import SwitchyardCore

/// One OpenAI request, read whole, as the data plane hands it to the relay.
struct RelayRequest: Sendable {
    var endpoint: Endpoint
    var headers: HTTPFields
    var body: ByteBuffer
}

/// Where the relay writes its answer: the client's connection. The protocol keeps the relay's
/// logic apart from the channel handler that carries it.
protocol RelayResponseWriter: Sendable {
    /// Writes the head and `body` in one flush; with `end`, that is the whole answer.
    func respond(_ head: HTTPResponse, body: ByteBuffer, end: Bool)
    /// Writes one more chunk; returns once the connection can take more, throws once the client is gone.
    func write(_ chunk: ByteBuffer) async throws
    /// Ends the answer.
    func end()
    /// Closes the connection after what was written: the only way to tell a client its answer was cut.
    func abort()
}
