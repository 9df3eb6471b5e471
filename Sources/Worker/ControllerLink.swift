import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SwitchyardCore

/// The worker's side of FastChat's controller protocol: register, beat, re-register when forgotten.
struct ControllerLink: Sendable {
    let worker: Worker
    let address: String

    var configuration: WorkerConfiguration { worker.configuration }
    var logger: Logger { worker.logger }

    /// Keeps the worker registered until cancelled. Never gives up on an absent controller.
    func maintain() async {
        var registered = false
        var backoff = Duration.milliseconds(100)
        var controllerReachable = true
        // Until the controller shows it has no heartbeat stream (FastChat's does not).
        var streaming = true
        // Reset only by a stream that lived until the controller ended it.
        var streamBackoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            if !registered {
                do {
                    try await register()
                    registered = true
                    backoff = .milliseconds(100)
                    controllerReachable = true
                    logger.info("registered with controller", metadata: ["controller": "\(configuration.controllerURL)", "worker": "\(address)"])
                } catch {
                    if controllerReachable {
                        logger.warning("cannot register with the controller; retrying", metadata: ["controller": "\(configuration.controllerURL)", "error": "\(error)"])
                        controllerReachable = false
                    }
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, configuration.maxRegisterBackoff)
                    continue
                }
            }
            if streaming {
                do {
                    switch try await streamBeats() {
                    case .ended:
                        streamBackoff = .milliseconds(100)
                    case .forgotten:
                        logger.info("controller does not know this worker; registering again")
                        registered = false
                        try? await Task.sleep(for: streamBackoff)
                        streamBackoff = min(streamBackoff * 2, configuration.maxRegisterBackoff)
                    }
                    controllerReachable = true
                } catch is BeatStreamUnsupported {
                    logger.info("the controller takes no heartbeat stream (FastChat's); beating with one POST each")
                    streaming = false
                } catch {
                    if Task.isCancelled { return }
                    if controllerReachable {
                        logger.warning("heartbeat stream broke; registering again", metadata: ["error": "\(error)"])
                        controllerReachable = false
                    }
                    // The controller dropped this worker when its stream broke.
                    registered = false
                    try? await Task.sleep(for: streamBackoff)
                    streamBackoff = min(streamBackoff * 2, configuration.maxRegisterBackoff)
                }
                continue
            }
            do {
                try await Task.sleep(for: configuration.heartbeatInterval)
            } catch {
                return
            }
            do {
                if try await heartbeat() == false {
                    logger.info("controller does not know this worker; registering again")
                    registered = false
                }
                controllerReachable = true
            } catch {
                if controllerReachable {
                    logger.warning("heartbeat failed; retrying", metadata: ["error": "\(error)"])
                    controllerReachable = false
                }
                // Beat again soon rather than after a full interval: the controller may be back.
                registered = false
            }
        }
    }

    func register() async throws {
        let registration = FastChat.RegisterWorker(workerName: address, checkHeartBeat: true, workerStatus: worker.status)
        _ = try await post("/register_worker", registration)
    }

    /// Returns the controller's `exist` answer.
    func heartbeat() async throws -> Bool {
        let body = try await post("/receive_heart_beat", await currentBeat())
        return try JSONDecoder.decode(FastChat.HeartBeatReply.self, from: body).exist
    }

    func currentBeat() async -> FastChat.HeartBeat {
        FastChat.HeartBeat(workerName: address, queueLength: await worker.queueLength(), state: worker.state, activity: worker.activity)
    }

    enum BeatStreamEnd: Equatable {
        /// The controller answered `exist: false`.
        case forgotten
        /// The controller ended the stream (its lifetime is up): open the next.
        case ended
    }

    /// A controller without ``FastChat/HeartBeat/streamPath`` (FastChat's, an older Switchyard).
    struct BeatStreamUnsupported: Error {}

    /// Beats over one stream (see ``FastChat/HeartBeat/streamPath``) until it ends. The
    /// controller drops this worker the moment the stream breaks, so a killed worker leaves the
    /// gateways at once instead of after the expiry.
    func streamBeats() async throws -> BeatStreamEnd {
        let (beats, sink) = AsyncStream<ByteBuffer>.makeStream()
        var request = controllerRequest(FastChat.HeartBeat.streamPath, contentType: "application/x-ndjson")
        request.body = .stream(beats, length: .unknown)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { sink.finish() }
                while true {
                    var line = ByteBuffer(data: try JSONEncoder.switchyard.encode(await currentBeat()))
                    line.writeString("\n")
                    sink.yield(line)
                    try await Task.sleep(for: configuration.heartbeatInterval)
                }
            }
            defer { group.cancelAll() }
            let response = try await worker.httpClient.execute(request, timeout: TimeAmount(configuration.controllerTimeout))
            // 404 and 405 from FastChat's controller; 415 and 501 from a proxy or an older controller.
            if [404, 405, 415, 501].contains(response.status.code) { throw BeatStreamUnsupported() }
            guard response.status == .ok else {
                throw Self.refusal(path: FastChat.HeartBeat.streamPath, status: response.status.code, body: try await response.body.collect(upTo: 1 << 20))
            }
            var lines = LineSplitter(maximumLength: 1 << 20)
            for try await buffer in response.body {
                for line in try lines.append(buffer) {
                    guard let reply = try? JSONDecoder.decode(FastChat.HeartBeatReply.self, from: line) else {
                        throw Self.refusal(path: FastChat.HeartBeat.streamPath, status: 400, body: line)
                    }
                    if !reply.exist { return .forgotten }
                }
            }
            return .ended
        }
    }

    /// Tells the controller this worker is gone, so it stops being listed at once.
    func unregister() async throws {
        _ = try await post("/api/v1/workers/unregister", FastChat.WorkerName(workerName: address))
    }

    private func post(_ path: String, _ value: some Encodable) async throws -> ByteBuffer {
        var request = controllerRequest(path, contentType: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder.switchyard.encode(value)))
        let response = try await worker.httpClient.execute(request, timeout: TimeAmount(configuration.controllerTimeout))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw Self.refusal(path: path, status: response.status.code, body: body) }
        return body
    }

    private func controllerRequest(_ path: String, contentType: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: configuration.controllerURL.trimmingSuffix("/") + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: contentType)
        if let token = configuration.access.registrationToken {
            request.headers.add(name: "authorization", value: "Bearer \(token.secret)")
        }
        return request
    }

    /// Says why: a refused registration token must be obvious in the worker's log.
    private static func refusal(path: String, status: UInt, body: ByteBuffer) -> OpenAIError {
        let reason = (try? JSONDecoder().decode(OpenAIError.Body.self, from: body).error.message).map { ": \($0)" } ?? ""
        return OpenAIError.badGateway("controller answered \(path) with HTTP \(status)\(reason)")
    }
}
