import Hummingbird
import NIOCore
import SwitchyardCore

/// The state of one FastChat generation while the backend writes its stream into ``Writer``:
/// events are parsed, turned into FastChat chunks and handed on. Lives for one request, on one task.
final class FastChatRelay {
    var stream: FastChatStream
    var events = ServerSentEventParser()

    /// Thrown into the backend's writer to stop it once a stop string has ended the text.
    struct Stopped: Error {}
    /// Thrown into the backend's writer when the client is gone, so the backend stops too.
    struct ClientGone: Error {
        var error: any Error
    }

    init(stream: FastChatStream) {
        self.stream = stream
    }

    /// Lets the backend write its whole stream (or until a stop string or a failure ends it),
    /// chunks due going on to `client`. Throws only what writing to the client threw: the client
    /// is gone, and the backend has been told to stop.
    func run(_ body: ResponseBody, to client: any ResponseBodyWriter = Discard()) async throws(ClientGone) {
        do {
            try await body.write(Writer(relay: self, client: client))
        } catch is Stopped {
            // A stop string or a failure ended the text: the backend's remaining output is not wanted.
        } catch let gone as ClientGone {
            throw gone
        } catch {
            stream.fail(.backend("The backend's stream broke: \(error)"))
        }
    }

    /// What the backend writes into; chunks due go on to `client`.
    struct Writer: ResponseBodyWriter {
        let relay: FastChatRelay
        var client: any ResponseBodyWriter

        mutating func write(_ buffer: ByteBuffer) async throws {
            for payload in relay.events.feed(buffer) {
                if let chunk = relay.stream.receive(payload) {
                    do {
                        try await client.write(chunk)
                    } catch {
                        throw ClientGone(error: error)
                    }
                }
                if relay.stream.isStopped || relay.stream.failure != nil { throw Stopped() }
            }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    /// The client of `/worker_generate`, which gets only the last chunk.
    struct Discard: ResponseBodyWriter {
        mutating func write(_ buffer: ByteBuffer) async throws {}
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
