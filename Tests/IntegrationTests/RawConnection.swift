import Foundation

/// A plain TCP connection to a loopback port, for what HTTP clients will not do: send half a
/// request, trickle it, never read the answer, or just hold the socket open.
///
/// Reads never block a thread: they poll a non-blocking socket between short sleeps.
final class RawConnection {
    private let socket: Int32

    /// `receiveBuffer` shrinks the socket's receive buffer (before connecting, so the window
    /// the server sees is small): a client that does not read then stalls the server's writes soon.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ProcessFailure("socket() failed") }
        if var size = receiveBuffer {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw ProcessFailure("connect() to port \(port) failed: errno \(errno)")
        }
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    convenience init(url: String, receiveBuffer: Int32? = nil) throws {
        guard let port = URL(string: url)?.port else { throw ProcessFailure("no port in \(url)") }
        try self.init(port: port, receiveBuffer: receiveBuffer)
    }

    deinit {
        close(socket)
    }

    /// Writes all of `text`; false once the server has closed or reset the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                sent += count
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                usleep(1000)
            } else {
                return false
            }
        }
        return true
    }

    enum Read: Equatable {
        case data([UInt8])
        /// The server closed (EOF) or reset the connection.
        case closed
        case nothingYet
    }

    /// What is there to read right now.
    func poll(upTo limit: Int = 64 << 10) -> Read {
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, limit, Int32(MSG_DONTWAIT)) }
        if count > 0 { return .data(Array(buffer.prefix(count))) }
        if count == 0 { return .closed }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .nothingYet : .closed
    }

    /// Reads until the server closes the connection or `timeout` passes; returns what was read
    /// and whether the connection was closed.
    func readUntilClosed(timeout: Duration = .seconds(60)) async throws -> (text: String, closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            switch poll() {
            case .data(let bytes): received += bytes
            case .closed: return (String(decoding: received, as: UTF8.self), true)
            case .nothingYet: try await Task.sleep(for: .milliseconds(20))
            }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Reads until `text` holds `marker`, the connection closes or `timeout` passes.
    func read(until marker: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            switch poll() {
            case .data(let bytes):
                received += bytes
                if String(decoding: received, as: UTF8.self).contains(marker) { return String(decoding: received, as: UTF8.self) }
            case .closed: return String(decoding: received, as: UTF8.self)
            case .nothingYet: try await Task.sleep(for: .milliseconds(20))
            }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
