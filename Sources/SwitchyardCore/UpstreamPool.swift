import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Keep-alive connections to workers and model servers, kept apart per event loop: a request
/// relayed from a server connection goes out on a connection of that connection's own loop, so it
/// is read, forwarded, answered and written on one thread with no hop between them.
///
/// This is the per-request path's client (async-http-client spent about 200 µs of CPU to send one
/// small request, head and body in two writes); NIOHTTP1's codecs parse and encode, swift-nio-ssl
/// speaks TLS to `https` peers. Other outbound calls (probes, registration) keep async-http-client.
public final class UpstreamPool: Sendable {
    public struct Configuration: Sendable {
        /// A peer that takes longer to accept a connection is treated as down.
        public var connectTimeout: Duration
        /// The longest silence in a response after its head (the head has its own deadline).
        public var readTimeout: Duration
        /// How long an unused connection is kept: below the 5 s after which uvicorn (vLLM,
        /// llama-cpp-python) closes one, so a request is not sent on a connection being closed.
        public var idleTimeout: Duration
        /// Unused connections kept per peer and event loop; more are closed when they come back.
        public var maxIdlePerPeer: Int

        public init(
            connectTimeout: Duration = .seconds(2),
            readTimeout: Duration = .seconds(600),
            idleTimeout: Duration = .seconds(4),
            maxIdlePerPeer: Int = 128
        ) {
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.idleTimeout = idleTimeout
            self.maxIdlePerPeer = maxIdlePerPeer
        }
    }

    /// Where an exchange goes: the peer's origin and the request's path.
    public struct Target: Sendable, Hashable {
        public var tls: Bool
        public var host: String
        public var port: Int
        public var path: String
        /// The `Host` header: the port only where it is not the scheme's own.
        public var hostHeader: String

        /// `http(s)://host[:port][/path]`; anything else is refused before a connection is made.
        public init(url: String) throws {
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
                let host = components.host, !host.isEmpty
            else { throw UpstreamFailure.invalidURL }
            tls = scheme == "https"
            self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            // Foundation reads a port past Int's range as none: it must not become the default.
            guard components.port != nil || components.rangeOfPort == nil else { throw UpstreamFailure.invalidURL }
            port = components.port ?? (tls ? 443 : 80)
            guard (1...65535).contains(port) else { throw UpstreamFailure.invalidURL }
            let encodedPath = components.percentEncodedPath
            path = (encodedPath.isEmpty ? "/" : encodedPath) + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
            let name = host.contains(":" as Character) ? "[\(self.host)]" : self.host
            hostHeader = port == (tls ? 443 : 80) ? name : "\(name):\(port)"
        }
    }

    struct PeerKey: Hashable {
        var tls: Bool
        var host: String
        var port: Int
        var eventLoop: ObjectIdentifier
    }

    /// Parsed URLs kept at most, dropped all at once when full: the URLs are workers' addresses
    /// with a few paths each, but a registration storm must not grow the table without end.
    static let maxCachedTargets = 4096

    let configuration: Configuration
    private let group: any EventLoopGroup
    private let tlsContext: NIOSSLContext?
    private let idle = Mutex<[PeerKey: [NIOLoopBound<UpstreamConnection>]]>([:])
    /// URLComponents' parse cost more per request than the rest of sending one.
    private let targets = Mutex<[String: Target]>([:])

    public init(configuration: Configuration = .init(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, tls: TLSConfiguration = .makeClientConfiguration()) {
        self.configuration = configuration
        self.group = group
        tlsContext = try? NIOSSLContext(configuration: tls)
    }

    /// The parsed form of `url`, parsed once per URL.
    func target(of url: String) throws -> Target {
        if let target = targets.withLock({ $0[url] }) { return target }
        let target = try Target(url: url)
        targets.withLock { targets in
            if targets.count >= Self.maxCachedTargets { targets.removeAll(keepingCapacity: true) }
            targets[url] = target
        }
        return target
    }

    /// The caller's own event loop when it runs on one (a pinned server connection), else the next.
    func eventLoop() -> any EventLoop {
        MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
    }

    /// Sends the request on an unused connection to the peer, or a new one, and hands what comes
    /// back to `receiver`. Runs on `eventLoop`.
    func send(_ head: HTTPRequestHead, body: ByteBuffer, to target: Target, on eventLoop: any EventLoop, receiver: UpstreamExchange.Receiver) {
        eventLoop.assertInEventLoop()
        let key = PeerKey(tls: target.tls, host: target.host, port: target.port, eventLoop: ObjectIdentifier(eventLoop))
        while let connection = checkOut(key)?.value {
            if connection.send(head, body: body, receiver: receiver) { return }
        }
        connect(key, on: eventLoop).assumeIsolated().whenComplete { result in
            switch result.flatMap({ channel in Result { try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) } }) {
            case .success(let connection):
                if !connection.send(head, body: body, receiver: receiver) { receiver.fail(UpstreamFailure.connectionClosed) }
            case .failure(let error):
                receiver.fail(error)
            }
        }
    }

    private func checkOut(_ key: PeerKey) -> NIOLoopBound<UpstreamConnection>? {
        idle.withLock { $0[key]?.popLast() }
    }

    /// Keeps a connection whose exchange ended cleanly for the next request; false when the peer
    /// already has enough unused ones (the caller closes it).
    func checkIn(_ connection: UpstreamConnection, key: PeerKey) -> Bool {
        let bound = NIOLoopBound(connection, eventLoop: connection.eventLoop)
        return idle.withLock { idle in
            guard idle[key, default: []].count < configuration.maxIdlePerPeer else { return false }
            idle[key, default: []].append(bound)
            return true
        }
    }

    /// Forgets a connection that closed or expired while unused.
    func remove(_ connection: UpstreamConnection, key: PeerKey) {
        let identity = ObjectIdentifier(connection)
        idle.withLock { idle in
            idle[key]?.removeAll { ObjectIdentifier($0.value) == identity }
            if idle[key]?.isEmpty == true { idle[key] = nil }
        }
    }

    private func connect(_ key: PeerKey, on eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        let tlsContext = self.tlsContext
        if key.tls && tlsContext == nil { return eventLoop.makeFailedFuture(UpstreamFailure.tlsUnavailable) }
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [readTimeout = configuration.readTimeout] channel in
                channel.eventLoop.makeCompletedFuture {
                    if key.tls, let tlsContext {
                        let serverName = key.host.isIPAddress ? nil : key.host
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(leftOverBytesStrategy: .fireError)
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: TimeAmount(readTimeout)),
                        UpstreamConnection(pool: self, key: key, eventLoop: channel.eventLoop),
                    ])
                }
            }
            .connect(host: key.host, port: key.port)
    }
}

/// Why an exchange with a peer failed, where the failure is not the network's own error.
public enum UpstreamFailure: Error, Equatable, Sendable {
    case invalidURL
    /// No response head within the exchange's deadline.
    case headTimeout
    /// A silence longer than the pool's read timeout after the head.
    case readTimeout
    /// The peer closed the connection before the response ended.
    case connectionClosed
    /// The reader gave up on the exchange.
    case cancelled
    /// The machine's TLS trust store could not be loaded, so `https` peers cannot be reached.
    case tlsUnavailable

    /// Whether an exchange failed because the peer did not answer in time.
    public static func isTimeout(_ error: any Error) -> Bool {
        error as? UpstreamFailure == .headTimeout || error as? UpstreamFailure == .readTimeout
    }
}

extension String {
    /// An IPv4 or IPv6 literal, which TLS does not send as a server name.
    var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}

extension UpstreamPool {
    /// Unused connections kept, over all peers and event loops.
    var idleConnections: Int {
        idle.withLock { $0.values.reduce(0) { $0 + $1.count } }
    }

    var cachedTargets: Int {
        targets.withLock(\.count)
    }
}
