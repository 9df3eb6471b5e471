import NIOCore
import SwitchyardCore

extension Controller {
    /// The handler that reads heartbeat streams (``BeatStreamHandler``) on a connection of the
    /// controller's listener bound to `host`.
    public func beatStreamHandler(boundTo host: String) -> any RemovableChannelHandler {
        BeatStreamHandler(controller: self, browserGuard: BrowserRequestGuard(bindHost: host))
    }

    static let knownLine = ByteBuffer(string: "{\"exist\":true}\n")
    static let unknownLine = ByteBuffer(string: "{\"exist\":false}\n")

    /// What to tell a worker whose stream carried something other than beats; nil for a broken connection.
    static func refusal(for error: any Error) -> OpenAIError? {
        switch error {
        case let error as OpenAIError: error
        case let error as LineSplitter.LineTooLong: OpenAIError.badRequest("A heartbeat line is over \(error.limit) bytes.")
        default: nil
        }
    }

    static func errorLine(_ error: OpenAIError) -> ByteBuffer {
        var line = ByteBuffer(bytes: error.jsonBody())
        line.writeString("\n")
        return line
    }
}
