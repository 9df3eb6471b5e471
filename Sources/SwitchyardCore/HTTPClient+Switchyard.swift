import AsyncHTTPClient
import NIOCore
import NIOPosix

extension HTTPClient {
    /// The outbound client of one daemon: pooled keep-alive connections, with a per-host limit high
    /// enough that a busy worker or upstream is never throttled by the pool, and no redirects followed.
    ///
    /// A refused connection fails at once instead of being retried until the connect timeout:
    /// the gateway then tries another worker, and a health check of a dead backend says so now.
    public static func makeSwitchyardClient(
        connectTimeout: Duration = .seconds(2),
        readTimeout: Duration = .seconds(600),
        connectionsPerHost: Int = 1024
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: TimeAmount(connectTimeout), read: TimeAmount(readTimeout))
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        // Peers never redirect: following a rogue worker's 302 would fetch any URL it names
        // (an internal service, a metadata endpoint) on its behalf. A 3xx reaches the caller as is.
        configuration.redirectConfiguration = .disallow
        // Switchyard bootstraps no tracer; the default no-op one still costs a URL parse per request.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}

extension HTTPClient {
    /// Whether an outbound request failed because nothing accepts connections at the address:
    /// the peer is certainly down, not merely slow.
    public static func isConnectionRefused(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        return false
    }
}
