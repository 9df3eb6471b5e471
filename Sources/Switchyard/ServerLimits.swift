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
