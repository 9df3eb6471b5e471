import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import SwitchyardCore

/// Builds one HTTP server of a role, announcing its URL once bound (port 0 picks a free port).
///
/// Every listener bounds its request heads (see ``headerLimits``), its connections' idle time,
/// request reading, stalled writes and number (see ``ServerLimits``), and serves HTTPS when
/// given `tls`.
func makeServer(
    role: String,
    router: Router<BasicRequestContext>,
    host: String,
    port: Int,
    tls: TLSConfiguration? = nil,
    limits: ServerLimits = ServerLimits(),
    dataPlane: (@Sendable () -> any RemovableChannelHandler)? = nil,
    logger: Logger,
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [ConnectionGuardHandler(limits: limits), HeadErrorResponder()],
        idleTimeout: TimeAmount(limits.idleTimeout),
        httpDecoderConfiguration: headerLimits
    )
    let gate = ConnectionGate(limit: limits.maxConnections)
    let server = HTTPServerBuilder { responder in
        let channel = DataPlaneChannel(base: HTTP1Channel(responder: responder, configuration: http1), dataPlane: dataPlane)
        if let tls {
            return EventLoopPinnedChannel(base: GatedChannel(base: try TLSChannel(channel, tlsConfiguration: tls), gate: gate, isTLS: true))
        }
        return EventLoopPinnedChannel(base: GatedChannel(base: channel, gate: gate, isTLS: false))
    }
    let scheme = tls == nil ? "http" : "https"
    return Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(host, port: port), serverName: nil),
        onServerRunning: { channel in
            let boundPort = channel.localAddress?.port ?? port
            announce("switchyard \(role) listening on \(scheme)://\(urlHost(host)):\(boundPort)")
            await onListening(boundPort)
        },
        logger: logger
    )
}

/// HTTP/1 with a daemon's hot routes (the OpenAI routes' ``DataPlaneHandler``, the controller's
/// heartbeat streams) served by a handler in the pipeline, when given one, before Hummingbird's
/// router sees them; everything else is Hummingbird's.
struct DataPlaneChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let dataPlane: (@Sendable () -> any RemovableChannelHandler)?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { [dataPlane] value in
            if let dataPlane {
                // After the connection state handler, so idle timeout and graceful shutdown see its
                // requests; the signal in front of it tells of a shutdown, which it keeps to itself.
                let operations = channel.pipeline.syncOperations
                let connectionState = try operations.handler(type: HTTPConnectionStateHandler.self)
                try operations.addHandler(QuiesceSignal(), position: .before(connectionState))
                try operations.addHandler(dataPlane(), position: .after(connectionState))
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Request-head limits: generous for SDKs (a dozen `x-stainless-*` headers) and tokens, small
/// enough that a peer cannot make a server buffer megabytes of headers; beyond them the
/// request gets 431 (``HeadErrorResponder``).
let headerLimits = HTTP1Channel.Configuration.DecoderConfiguration(
    maxHeaderFieldSize: 16 << 10,
    maxHeaderListSize: 64 << 10,
    maxHeaderFieldCount: 200
)

/// The host part of a URL for a bind address (IPv6 in brackets).
func urlHost(_ host: String) -> String {
    host.contains(":") ? "[\(host)]" : host
}
