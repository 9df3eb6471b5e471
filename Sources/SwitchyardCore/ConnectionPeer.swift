import NIOCore

/// The address of the peer at the other end of the connection a request arrived on.
///
/// Hummingbird's `BasicRequestContext` does not carry it, so the server sets it around each
/// connection's task; handlers that must know who is calling without trusting a header (the
/// arena's voter identity) read it here.
public enum ConnectionPeer {
    @TaskLocal public static var address: SocketAddress?
}
