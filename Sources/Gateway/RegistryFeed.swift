import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore

/// Keeps a ``WorkerDirectory`` in step with registry events from an in-process controller.
///
/// `watch` starts a stream with a snapshot; a stream that ends (the feed fell behind the
/// registry's bounded buffer) is replaced by a new one, whose snapshot repairs what was missed.
public struct LocalRegistryFeed<Events: AsyncSequence & Sendable>: Service where Events.Element == RegistryEvent {
    let watch: @Sendable () -> Events
    let directory: WorkerDirectory

    public init(watch: @escaping @Sendable () -> Events, directory: WorkerDirectory) {
        self.watch = watch
        self.directory = directory
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for try await event in watch() { directory.apply(event) }
            }
        }
    }
}

/// Mirrors a remote controller's registry through its watch stream, reconnecting with backoff.
///
/// While the controller is away the directory keeps its last state, so the gateway keeps routing.
public struct ControllerWatchFeed: Service {
    let controllerURL: String
    /// The controller's registration or admin token: its listing of worker addresses needs one when it has any.
    let token: AccessToken?
    let directory: WorkerDirectory
    let logger: Logger
    /// Longest silence before the stream counts as dead; the controller sends keep-alives every few seconds.
    let idleTimeout: Duration

    public init(controllerURL: String, token: AccessToken? = nil, directory: WorkerDirectory, logger: Logger, idleTimeout: Duration = .seconds(8)) {
        self.controllerURL = controllerURL.trimmingSuffix("/")
        self.token = token
        self.directory = directory
        self.logger = logger
        self.idleTimeout = idleTimeout
    }

    public func run() async throws {
        // Its own client, as the read timeout that detects a silent controller must not apply to relays.
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: TimeAmount(idleTimeout)))
        // A redirect from the controller's address is never followed, as from a worker's.
        configuration.redirectConfiguration = .disallow
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        await cancelWhenGracefulShutdown {
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    try await follow(using: httpClient) { backoff = .milliseconds(100) }
                    logger.warning("controller watch stream ended; reconnecting", metadata: ["controller": "\(controllerURL)"])
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("controller unreachable; serving from the last known registry", metadata: ["controller": "\(controllerURL)", "error": "\(error)"])
                }
                guard (try? await Task.sleep(for: backoff)) != nil else { return }
                backoff = min(backoff * 2, .seconds(2))
            }
        }
        try await httpClient.shutdown()
    }

    private func follow(using httpClient: HTTPClient, onConnected: () -> Void) async throws {
        var request = HTTPClientRequest(url: controllerURL + "/api/v1/workers/watch")
        request.headers.add(name: "accept", value: "text/event-stream")
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token.secret)") }
        let response = try await httpClient.execute(request, timeout: .seconds(5))
        guard response.status == .ok else {
            throw OpenAIError.badGateway("controller watch answered HTTP \(response.status.code)")
        }
        var parser = ServerSentEventParser()
        let decoder = JSONDecoder()
        for try await buffer in response.body {
            for data in parser.feed(buffer) {
                let event = try decoder.decode(RegistryEvent.self, from: Data(data))
                if case .snapshot(_, let workers) = event {
                    onConnected()
                    logger.info("controller registry mirrored", metadata: ["workers": "\(workers.count)"])
                }
                directory.apply(event)
            }
        }
    }
}
