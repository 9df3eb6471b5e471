import ArgumentParser
import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization
import SwitchyardCore

/// What every listener of a daemon allows a connection: how long it may sit idle or dribble a
/// request, how long it may refuse to read what is written to it, how many may be open at once,
/// and the largest request body announced up front.
struct ServerLimits: Sendable, Equatable {
    /// A connection with no request in progress is closed after this long. This is also the time
    /// a request head may take to arrive, so a client that trickles header bytes is cut off.
    /// Responses being written (SSE streams, the watch stream) are not idle.
    var idleTimeout: Duration
    /// From a request's head to the end of its body: a body trickled byte by byte is cut off.
    var requestTimeout: Duration
    /// A connection that accepts none of what is written to it for this long is closed, so a
    /// stream whose reader stopped reading ends instead of holding its buffers forever.
    var writeTimeout: Duration
    /// Connections past this many are answered 503 and closed as soon as they are accepted.
    var maxConnections: Int
    /// A request announcing a longer body (`Content-Length`) is answered 413 before its body is
    /// read, and `Expect: 100-continue` is answered with that 413 instead of `100 Continue`.
    var maxBodySize: Int

    /// The idle timeout sits just above the 60 s async-http-client pools keep idle connections,
    /// so a server never closes a connection a pool of ours is about to reuse.
    init(
        idleTimeout: Duration = .seconds(65),
        requestTimeout: Duration = .seconds(60),
        writeTimeout: Duration = .seconds(30),
        maxConnections: Int = 4096,
        maxBodySize: Int = 32 << 20
    ) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.maxBodySize = maxBodySize
    }
}

/// Counts a listener's open connections and admits new ones up to the limit.
final class ConnectionGate: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { open.load(ordering: .relaxed) }

    /// Takes a place for a new connection; false when every place is taken.
    func admit() -> Bool {
        let (_, now) = open.add(1, ordering: .relaxed)
        guard now > limit else { return true }
        open.subtract(1, ordering: .relaxed)
        return false
    }

    /// Gives back the place of a connection that closed.
    func release() {
        open.subtract(1, ordering: .relaxed)
    }
}

/// What to do with a request head before it reaches the router.
enum RequestAdmission: Equatable {
    case proceed
    /// The client waits for `100 Continue` before sending its body.
    case proceedAfterContinue
    /// The announced body is over the limit: answer 413 without reading it.
    case tooLarge(announced: Int)

    init(_ head: HTTPRequest, maxBodySize: Int) {
        // An unparsable length is the HTTP decoder's business; only a readable one is judged here.
        if let length = head.headerFields[.contentLength].flatMap({ Int($0) }), length > maxBodySize {
            self = .tooLarge(announced: length)
        } else if head.headerFields[.expect]?.lowercased() == "100-continue" {
            self = .proceedAfterContinue
        } else {
            self = .proceed
        }
    }
}

/// The deadlines of one connection, without I/O: when the request being read must be complete
/// and when a stalled write gives up. The idle and head deadline is Hummingbird's `idleTimeout`.
struct ConnectionDeadlines: Sendable {
    let requestTimeout: Duration
    let writeTimeout: Duration
    private(set) var requestStarted: ContinuousClock.Instant?
    private(set) var unwritableSince: ContinuousClock.Instant?

    init(requestTimeout: Duration, writeTimeout: Duration) {
        self.requestTimeout = requestTimeout
        self.writeTimeout = writeTimeout
    }

    mutating func requestHead(at now: ContinuousClock.Instant) {
        requestStarted = now
    }

    mutating func requestEnd() {
        requestStarted = nil
    }

    /// The socket stopped (or resumed) taking what is written to it.
    mutating func writability(_ isWritable: Bool, at now: ContinuousClock.Instant) {
        if isWritable {
            unwritableSince = nil
        } else if unwritableSince == nil {
            unwritableSince = now
        }
    }

    /// The earliest moment the connection is overdue, or nil when nothing is pending.
    var deadline: ContinuousClock.Instant? {
        let request = requestStarted.map { $0 + requestTimeout }
        let write = unwritableSince.map { $0 + writeTimeout }
        switch (request, write) {
        case (let request?, let write?): return min(request, write)
        case (let request?, nil): return request
        case (nil, let write?): return write
        case (nil, nil): return nil
        }
    }

    func isOverdue(at now: ContinuousClock.Instant) -> Bool {
        deadline.map { now >= $0 } ?? false
    }
}

/// Enforces ``RequestAdmission`` and ``ConnectionDeadlines`` on one HTTP/1 connection; sits
/// between the HTTP codec and Hummingbird's connection handler.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var deadlines: ConnectionDeadlines
    private let maxBodySize: Int
    /// After a 413 sent at the head: the rest of that request is read and dropped.
    private var refusing = false
    private var timer: Scheduled<Void>?
    private var timerDeadline: ContinuousClock.Instant?

    init(limits: ServerLimits) {
        self.deadlines = ConnectionDeadlines(requestTimeout: limits.requestTimeout, writeTimeout: limits.writeTimeout)
        self.maxBodySize = limits.maxBodySize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if refusing {
            if case .end = part { context.close(promise: nil) }
            return
        }
        switch part {
        case .head(let head):
            deadlines.requestHead(at: .now)
            schedule(context)
            switch RequestAdmission(head, maxBodySize: maxBodySize) {
            case .tooLarge(let announced):
                refuse(announced: announced, context: context)
                return
            case .proceedAfterContinue:
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            case .proceed:
                break
            }
        case .body:
            break
        case .end:
            deadlines.requestEnd()
            schedule(context)
        }
        context.fireChannelRead(data)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        deadlines.writability(context.channel.isWritable, at: .now)
        schedule(context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    /// Answers 413 and stops sending; the body the client may still send is read and dropped
    /// until it ends or the request deadline passes (closing at once would reset the connection
    /// and lose the answer).
    private func refuse(announced: Int, context: ChannelHandlerContext) {
        refusing = true
        let body = OpenAIError(
            status: .contentTooLarge,
            message: "The request body of \(announced) bytes is over this server's limit of \(maxBodySize) bytes.",
            code: "request_too_large"
        ).jsonBody()
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.count)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .contentTooLarge, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
    }

    /// Keeps one timer at the earliest deadline.
    private func schedule(_ context: ChannelHandlerContext) {
        let deadline = deadlines.deadline
        guard deadline != timerDeadline else { return }
        cancelTimer()
        guard let deadline else { return }
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(deadline - .now)) {
            self.timer = nil
            self.timerDeadline = nil
            if self.deadlines.isOverdue(at: .now) {
                context.close(promise: nil)
            } else {
                self.schedule(context)
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }
}

/// Admits a listener's connections through its ``ConnectionGate``: past the limit a connection
/// is answered 503 (plain HTTP) or closed (TLS, whose handshake has not started) as soon as it is
/// active, and nothing it sends is read.
struct GatedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let gate: ConnectionGate
    let isTLS: Bool

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = gate.admit()
        if admitted {
            let gate = self.gate
            channel.closeFuture.whenComplete { _ in gate.release() }
        } else {
            logger.debug("connection refused: every place is taken", metadata: ["limit": "\(gate.limit)"])
        }
        // The channel is not active yet: a refusal is written by a handler in front of all others
        // once it is; the connection's task then sees its input end at once.
        return base.setup(channel: channel, logger: logger).flatMapThrowing { [isTLS] value in
            if !admitted {
                try channel.pipeline.syncOperations.addHandler(RefusalHandler(answer: isTLS ? nil : RefusalHandler.serviceUnavailable), position: .first)
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Answers a refused connection (or just closes it) and drops whatever it sends.
final class RefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let answer: ByteBuffer?

    init(answer: ByteBuffer?) {
        self.answer = answer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        guard let answer else {
            context.close(promise: nil)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(answer), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    static var serviceUnavailable: ByteBuffer {
        let body = OpenAIError(
            status: .serviceUnavailable,
            message: "This server has as many connections open as it allows; retry shortly.",
            code: "too_many_connections",
            retryAfter: .seconds(1)
        ).jsonBody()
        return ByteBuffer(
            string: "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: \(body.count)\r\n"
                + "retry-after: 1\r\nconnection: close\r\n\r\n" + String(decoding: body, as: UTF8.self)
        )
    }
}

/// The command-line face of ``ServerLimits``, shared by every daemon.
struct ServerLimitOptions: ParsableArguments {
    @Option(help: "Seconds a connection may stay open without a request in progress; also the time a request head may take to arrive.")
    var idleTimeout: Double = 65

    @Option(help: "Seconds from a request's head to the end of its body.")
    var requestTimeout: Double = 60

    @Option(help: "Seconds a connection may accept none of what is written to it (a reader that stopped reading) before it is closed.")
    var writeTimeout: Double = 30

    @Option(help: "Open connections each listener accepts; past them a connection is answered 503 and closed.")
    var maxConnections: Int = 4096

    func validate() throws {
        for (option, value) in [("--idle-timeout", idleTimeout), ("--request-timeout", requestTimeout), ("--write-timeout", writeTimeout)]
        where !(value.isFinite && value > 0) {
            throw ValidationError("\(option) must be a positive number of seconds.")
        }
        if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1.") }
    }

    /// The limits, with the body size a daemon's routes accept.
    func limits(maxBodySize: Int = ServerLimits().maxBodySize) -> ServerLimits {
        ServerLimits(
            idleTimeout: .seconds(fractional: idleTimeout),
            requestTimeout: .seconds(fractional: requestTimeout),
            writeTimeout: .seconds(fractional: writeTimeout),
            maxConnections: maxConnections,
            maxBodySize: maxBodySize
        )
    }
}
