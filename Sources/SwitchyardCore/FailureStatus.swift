import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// The status a failed request is counted and logged with.
///
/// Only the server's own failures are 5xx: a client that hangs up is 499 (nginx's "client closed
/// request") and one that breaks HTTP's framing is 400, so nobody can inflate the 5xx rate that
/// alerts watch just by dropping connections or sending garbage.
public enum FailureStatus {
    public static let clientClosed = 499

    public static func of(_ error: any Error) -> Int {
        switch error {
        case let error as HTTPParserError:
            // The connection ended in the middle of a request: the client left, the bytes were fine.
            return error == .invalidEOFState ? clientClosed : 400
        case is CancellationError:
            return clientClosed
        case let error as ChannelError where [.ioOnClosedChannel, .alreadyClosed, .eof, .inputClosed, .outputClosed].contains(error):
            return clientClosed
        case let error as IOError where [ECONNRESET, EPIPE].contains(error.errnoCode):
            return clientClosed
        default:
            // A request whose task was cancelled ended because its client left, whatever it threw then.
            if Task.isCancelled { return clientClosed }
            return Int((error as? any HTTPResponseError)?.status.code ?? 500)
        }
    }
}
