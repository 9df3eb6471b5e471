import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore

/// Probes every known worker's `/health` on a timer and feeds the results to its circuit breaker,
/// so a worker this gateway cannot reach is avoided even while its heartbeats reach the controller.
struct HealthProbeService: Service {
    let gateway: Gateway

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: gateway.configuration.probeInterval)) != nil {
                let workers = Array(gateway.directory.snapshot.workers.values)
                await withTaskGroup(of: Void.self) { group in
                    for worker in workers {
                        group.addTask { await probe(worker.address, at: worker.controlBase, fastChat: worker.api != "openai") }
                    }
                }
            }
        }
    }

    /// Probes `control`'s `/health`: the worker's own, or for a direct-data-plane worker its
    /// sidecar's, which checks the backend (a plain OpenAI server may have no `/health`). A
    /// FastChat worker has no `/health`: its `/worker_get_status` is probed instead.
    func probe(_ address: String, at control: String, fastChat: Bool = false) async {
        var request = HTTPClientRequest(url: control.trimmingSuffix("/") + (fastChat ? "/worker_get_status" : "/health"))
        if fastChat {
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: "{}"))
        }
        let healthy: Bool
        var refused = false
        do {
            let response = try await gateway.httpClient.execute(request, timeout: .init(gateway.configuration.probeTimeout))
            _ = try await response.body.collect(upTo: 64 << 10)
            healthy = response.status == .ok
        } catch {
            healthy = false
            refused = HTTPClient.isConnectionRefused(error)
        }
        switch gateway.directory.record(success: healthy, for: address, hard: refused) {
        case .opened?:
            gateway.logger.warning("health probe failed: worker avoided", metadata: ["worker": "\(address)"])
        case .closed?:
            gateway.logger.info("health probe passed: worker back in rotation", metadata: ["worker": "\(address)"])
        default:
            break
        }
    }
}
