import Foundation
import Logging
import SwitchyardCore

/// A model server the worker runs itself (`llama-server`, `python -m llama_cpp.server`,
/// `vllm serve`): a ``ProcessSupervisor`` keeps it running while an ``OpenAIUpstreamBackend``
/// relays requests to it.
///
/// Until the server answers, the worker's `/health` says 503 so gateways send it nothing, and
/// requests that come anyway get a 503 with `retry-after`.
public struct ProcessBackend: ModelBackend {
    public let supervisor: ProcessSupervisor
    let upstream: OpenAIUpstreamBackend

    public init(upstream: OpenAIUpstreamBackend, configuration: ProcessSupervisorConfiguration, logger: Logger) {
        self.upstream = upstream
        // A new child is ready when it answers, whatever the one before it answered.
        self.supervisor = ProcessSupervisor(configuration: configuration, logger: logger) { await upstream.probe() }
    }

    public func respond(to request: BackendRequest) async throws -> BackendResponse {
        guard supervisor.isReady else {
            throw OpenAIError(
                status: .serviceUnavailable,
                message: "The model server of this worker is starting; please retry.",
                retryAfter: supervisor.retryAfter()
            )
        }
        return try await upstream.respond(to: request)
    }

    public func isHealthy() async -> Bool {
        guard supervisor.isReady else { return false }
        return await upstream.isHealthy()
    }

    /// Puts `port` wherever `{port}` stands in a command or URL.
    public static func substitutingPort(_ port: Int, in template: String) -> String {
        template.replacingOccurrences(of: "{port}", with: String(port))
    }

    /// A loopback port that was free a moment ago, for the server to listen on.
    public static func freeLoopbackPort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw PortError() }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socket, socketAddress, length) == 0 && getsockname(socket, socketAddress, &length) == 0
            }
        }
        guard bound else { throw PortError() }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct PortError: Error, CustomStringConvertible {
        var description: String { "no free loopback port for the backend process" }
    }
}
