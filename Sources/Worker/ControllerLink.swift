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
        let beat = FastChat.HeartBeat(workerName: address, queueLength: await worker.queueLength(), state: worker.state, activity: worker.activity)
        let body = try await post("/receive_heart_beat", beat)
        return try JSONDecoder.decode(FastChat.HeartBeatReply.self, from: body).exist
    }

    /// Tells the controller this worker is gone, so it stops being listed at once.
    func unregister() async throws {
        _ = try await post("/api/v1/workers/unregister", FastChat.WorkerName(workerName: address))
    }

    private func post(_ path: String, _ value: some Encodable) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: configuration.controllerURL.trimmingSuffix("/") + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let token = configuration.access.registrationToken {
            request.headers.add(name: "authorization", value: "Bearer \(token.secret)")
        }
        request.body = .bytes(ByteBuffer(data: try JSONEncoder.switchyard.encode(value)))
        let response = try await worker.httpClient.execute(request, timeout: TimeAmount(configuration.controllerTimeout))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            // Say why: a refused registration token must be obvious in the worker's log.
            let reason = (try? JSONDecoder().decode(OpenAIError.Body.self, from: body).error.message).map { ": \($0)" } ?? ""
            throw OpenAIError.badGateway("controller answered \(path) with HTTP \(response.status.code)\(reason)")
        }
        return body
    }
}
