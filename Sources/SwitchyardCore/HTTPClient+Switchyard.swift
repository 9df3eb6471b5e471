import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The outbound client of one daemon: pooled keep-alive connections, with a per-host limit high
    /// enough that a busy worker or upstream is never throttled by the pool.
    public static func makeSwitchyardClient(
        connectTimeout: Duration = .seconds(2),
        readTimeout: Duration = .seconds(600),
        connectionsPerHost: Int = 1024
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: TimeAmount(connectTimeout), read: TimeAmount(readTimeout))
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
