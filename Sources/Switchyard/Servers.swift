import Foundation
import Hummingbird
import Logging
import NIOCore

/// Builds one HTTP server of a role, announcing its URL once bound (port 0 picks a free port).
func makeServer(
    role: String,
    router: Router<BasicRequestContext>,
    host: String,
    port: Int,
    logger: Logger,
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: nil),
        onServerRunning: { channel in
            let boundPort = channel.localAddress?.port ?? port
            announce("switchyard \(role) listening on http://\(urlHost(host)):\(boundPort)")
            await onListening(boundPort)
        },
        logger: logger
    )
}

/// The host part of a URL for a bind address (IPv6 in brackets).
func urlHost(_ host: String) -> String {
    host.contains(":") ? "[\(host)]" : host
}
